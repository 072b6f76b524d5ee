storyscope_add_test(NAME test_cli_attend SOURCES core/test_cli_attend.cpp LIBS storyscope_base storyscope_imaging LABELS core;cli)
add_dependencies(test_cli_attend storyscope-cli)
target_compile_definitions(test_cli_attend PRIVATE STORYSCOPE_CLI="$<TARGET_FILE:storyscope-cli>")
