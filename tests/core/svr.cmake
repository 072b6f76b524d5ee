storyscope_add_test(NAME test_svr SOURCES core/test_svr.cpp LIBS storyscope_story LABELS core)
