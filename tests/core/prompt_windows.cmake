storyscope_add_test(NAME test_prompt_windows SOURCES core/test_prompt_windows.cpp LIBS storyscope_story LABELS core)
