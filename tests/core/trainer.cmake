storyscope_add_test(NAME test_trainer SOURCES core/test_trainer.cpp LIBS storyscope_demo LABELS core)
