storyscope_add_test(NAME test_story_export SOURCES core/test_story_export.cpp LIBS storyscope_imaging LABELS core)
