# Break-A-Scene end to end on the demo model, seeded (about 1.5 minutes: one scene of `bench concepts`).
storyscope_add_test(NAME test_concept_bench SOURCES core/test_concept_bench.cpp LIBS storyscope_demo storyscope_training LABELS core)
