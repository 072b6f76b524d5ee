storyscope_add_test(NAME test_unet SOURCES core/test_unet.cpp LIBS storyscope_models LABELS core sanitize)
storyscope_add_test(NAME test_unet_full SOURCES core/test_unet_full.cpp LIBS storyscope_models LABELS core slow TIMEOUT 1800)
