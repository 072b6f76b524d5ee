storyscope_add_test(NAME test_bad_input_policy SOURCES core/test_bad_input_policy.cpp LIBS storyscope_base storyscope_imaging LABELS core;cli)
add_dependencies(test_bad_input_policy storyscope-cli)
target_compile_definitions(test_bad_input_policy PRIVATE STORYSCOPE_CLI="$<TARGET_FILE:storyscope-cli>")
