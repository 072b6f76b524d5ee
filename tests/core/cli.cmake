storyscope_add_test(NAME test_cli SOURCES core/test_cli.cpp LIBS storyscope_base LABELS core;cli;sanitize)
add_dependencies(test_cli storyscope-cli)
target_compile_definitions(test_cli PRIVATE STORYSCOPE_CLI="$<TARGET_FILE:storyscope-cli>")
