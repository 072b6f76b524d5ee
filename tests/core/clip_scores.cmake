storyscope_add_test(NAME test_clip_scores SOURCES core/test_clip_scores.cpp LIBS storyscope_pipeline LABELS core)
