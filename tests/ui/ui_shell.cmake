# GUI shell tests: the engine worker, Story panel, projects, main window and screenshots, on the
# tiny SD 1.5 pipeline of the fixtures, offscreen.
foreach(t ui_engine ui_story_panel ui_project ui_main_window ui_screenshots)
  storyscope_add_test(NAME test_${t} SOURCES ui/test_${t}.cpp LIBS storyscope_ui LABELS ui)
  set_tests_properties(test_${t} PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;QT_QPA_PLATFORM=offscreen")
endforeach()
add_dependencies(test_ui_screenshots storyscope)
target_compile_definitions(test_ui_screenshots PRIVATE STORYSCOPE_GUI_APP="$<TARGET_FILE:storyscope>"
  STORYSCOPE_SCREENSHOT_DIR="${CMAKE_CURRENT_BINARY_DIR}/screenshots")
