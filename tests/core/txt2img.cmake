storyscope_add_test(NAME test_txt2img SOURCES core/test_txt2img.cpp LIBS storyscope_pipeline LABELS core sanitize)
