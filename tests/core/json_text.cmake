storyscope_add_test(NAME test_json_text SOURCES core/test_json_text.cpp LIBS storyscope_base LABELS core)
