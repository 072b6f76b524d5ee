storyscope_add_test(NAME test_vanilla_frame SOURCES core/test_vanilla_frame.cpp LIBS storyscope_pipeline LABELS core)
