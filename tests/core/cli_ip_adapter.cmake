storyscope_add_test(NAME test_cli_ip_adapter SOURCES core/test_cli_ip_adapter.cpp LIBS storyscope_attention storyscope_imaging LABELS core;cli)
add_dependencies(test_cli_ip_adapter storyscope-cli)
target_compile_definitions(test_cli_ip_adapter PRIVATE STORYSCOPE_CLI="$<TARGET_FILE:storyscope-cli>")
