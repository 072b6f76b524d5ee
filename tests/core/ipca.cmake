storyscope_add_test(NAME test_ipca SOURCES core/test_ipca.cpp LIBS storyscope_attention storyscope_models LABELS core)
