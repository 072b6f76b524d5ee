storyscope_add_test(NAME test_long_prompt SOURCES core/test_long_prompt.cpp LIBS storyscope_pipeline LABELS core)
