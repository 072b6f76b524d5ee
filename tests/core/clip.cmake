storyscope_add_test(NAME test_clip_text SOURCES core/test_clip_text.cpp LIBS storyscope_text LABELS core sanitize)
storyscope_add_test(NAME test_clip_text_full SOURCES core/test_clip_text_full.cpp LIBS storyscope_text LABELS core slow TIMEOUT 1800)
