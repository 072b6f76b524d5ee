storyscope_add_test(NAME test_clip_tokenizer SOURCES core/test_clip_tokenizer.cpp LIBS storyscope_text LABELS core sanitize)
