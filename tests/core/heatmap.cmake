storyscope_add_test(NAME test_heatmap SOURCES core/test_heatmap.cpp LIBS storyscope_imaging LABELS core)
