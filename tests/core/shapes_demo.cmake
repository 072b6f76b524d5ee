# The shipped demo model at its measured levels (a seeded evaluation of 48 images: ~1 minute).
storyscope_add_test(NAME test_shapes_demo SOURCES core/test_shapes_demo.cpp LIBS storyscope_demo storyscope_pipeline LABELS core)
