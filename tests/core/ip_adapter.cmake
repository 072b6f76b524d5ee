storyscope_add_test(NAME test_ip_adapter SOURCES core/test_ip_adapter.cpp LIBS storyscope_pipeline LABELS core)
