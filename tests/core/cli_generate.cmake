storyscope_add_test(NAME test_cli_generate SOURCES core/test_cli_generate.cpp LIBS storyscope_base storyscope_imaging LABELS core;cli)
add_dependencies(test_cli_generate storyscope-cli)
target_compile_definitions(test_cli_generate PRIVATE STORYSCOPE_CLI="$<TARGET_FILE:storyscope-cli>")
