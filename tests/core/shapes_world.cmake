storyscope_add_test(NAME test_shapes_world SOURCES core/test_shapes_world.cpp LIBS storyscope_demo storyscope_text LABELS core sanitize)
