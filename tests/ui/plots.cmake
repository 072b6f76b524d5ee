storyscope_add_test(NAME test_plots SOURCES ui/test_plots.cpp LIBS storyscope_ui LABELS ui)
set_tests_properties(test_plots PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;QT_QPA_PLATFORM=offscreen")
