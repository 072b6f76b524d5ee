# Themes (View > Theme, palettes, plots following them) and languages (View > Language, the
# translation loader), on real widgets offscreen.
storyscope_add_test(NAME test_ui_appearance SOURCES ui/test_ui_appearance.cpp LIBS storyscope_ui LABELS ui)
set_tests_properties(test_ui_appearance PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;QT_QPA_PLATFORM=offscreen")
