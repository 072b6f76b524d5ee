storyscope_add_test(NAME test_schedulers SOURCES core/test_schedulers.cpp LIBS storyscope_schedulers LABELS core sanitize)
