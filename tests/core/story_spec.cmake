storyscope_add_test(NAME test_story_spec SOURCES core/test_story_spec.cpp LIBS storyscope_story LABELS core sanitize)
