storyscope_add_test(NAME test_safetensors SOURCES core/test_safetensors.cpp LIBS storyscope_base LABELS core sanitize)
storyscope_add_test(NAME test_splitmix SOURCES core/test_splitmix.cpp LIBS storyscope_base LABELS core)
storyscope_add_test(NAME test_json_fields SOURCES core/test_json_fields.cpp LIBS storyscope_base LABELS core sanitize)
