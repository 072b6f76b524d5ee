# Break-A-Scene in the GUI: extract concepts from painted masks on the demo model, offscreen.
storyscope_add_test(NAME test_ui_concepts SOURCES ui/test_ui_concepts.cpp LIBS storyscope_ui LABELS ui TIMEOUT 180)
set_tests_properties(test_ui_concepts PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;QT_QPA_PLATFORM=offscreen")
