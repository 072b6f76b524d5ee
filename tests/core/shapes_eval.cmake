storyscope_add_test(NAME test_shapes_eval SOURCES core/test_shapes_eval.cpp LIBS storyscope_demo storyscope_pipeline LABELS core)
target_compile_definitions(test_shapes_eval PRIVATE STORYSCOPE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
