storyscope_add_test(NAME test_cli_story SOURCES core/test_cli_story.cpp LIBS storyscope_story storyscope_imaging LABELS core;cli)
add_dependencies(test_cli_story storyscope-cli)
target_compile_definitions(test_cli_story PRIVATE STORYSCOPE_CLI="$<TARGET_FILE:storyscope-cli>")
