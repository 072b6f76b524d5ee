storyscope_add_test(NAME test_clip_vision SOURCES core/test_clip_vision.cpp LIBS storyscope_models LABELS core)
