# 15 generations on the demo model in one process; memory after warm-up must stay flat (~10 s).
storyscope_add_test(NAME test_soak SOURCES core/test_soak.cpp LIBS storyscope_pipeline LABELS core soak)
