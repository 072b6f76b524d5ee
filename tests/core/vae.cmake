storyscope_add_test(NAME test_vae SOURCES core/test_vae.cpp LIBS storyscope_models LABELS core sanitize)
storyscope_add_test(NAME test_vae_full SOURCES core/test_vae_full.cpp LIBS storyscope_models LABELS core slow TIMEOUT 1800)
