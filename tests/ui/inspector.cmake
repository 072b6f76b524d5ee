storyscope_add_test(NAME test_inspector SOURCES ui/test_inspector.cpp LIBS storyscope_ui LABELS ui)
set_tests_properties(test_inspector PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;QT_QPA_PLATFORM=offscreen")
