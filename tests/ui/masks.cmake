storyscope_add_test(NAME test_masks SOURCES ui/test_masks.cpp LIBS storyscope_ui LABELS ui)
set_tests_properties(test_masks PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;QT_QPA_PLATFORM=offscreen")
