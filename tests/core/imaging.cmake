storyscope_add_test(NAME test_imaging SOURCES core/test_imaging.cpp LIBS storyscope_imaging LABELS core)
