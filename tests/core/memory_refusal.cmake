storyscope_add_test(NAME test_memory_refusal SOURCES core/test_memory_refusal.cpp LIBS storyscope_demo LABELS core;cli)
add_dependencies(test_memory_refusal storyscope-cli)
target_compile_definitions(test_memory_refusal PRIVATE STORYSCOPE_CLI="$<TARGET_FILE:storyscope-cli>")
