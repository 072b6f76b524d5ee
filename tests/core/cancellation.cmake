storyscope_add_test(NAME test_cancellation SOURCES core/test_cancellation.cpp LIBS storyscope_demo LABELS core;cli)
add_dependencies(test_cancellation storyscope-cli)
target_compile_definitions(test_cancellation PRIVATE STORYSCOPE_CLI="$<TARGET_FILE:storyscope-cli>")
