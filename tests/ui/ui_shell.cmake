# GUI shell tests: the engine worker, Story panel, projects, main window and screenshots, on the
# tiny SD 1.5 pipeline of the fixtures, offscreen.
foreach(t ui_engine ui_story_panel ui_project ui_main_window ui_screenshots)
  storyscope_add_test(NAME test_${t} SOURCES ui/test_${t}.cpp LIBS storyscope_ui LABELS ui)
  set_tests_properties(test_${t} PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;QT_QPA_PLATFORM=offscreen")
endforeach()
add_dependencies(test_ui_screenshots storyscope)
target_compile_definitions(test_ui_screenshots PRIVATE STORYSCOPE_GUI_APP="$<TARGET_FILE:storyscope>"
  STORYSCOPE_SCREENSHOT_DIR="${CMAKE_CURRENT_BINARY_DIR}/screenshots")

# The child that test_ui_project kills in the middle of saves.
add_executable(project_save_loop ui/project_save_loop.cpp)
target_link_libraries(project_save_loop PRIVATE storyscope_ui)
target_include_directories(project_save_loop PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
storyscope_use_torch_pch(project_save_loop QT)
add_dependencies(test_ui_project project_save_loop)
target_compile_definitions(test_ui_project PRIVATE STORYSCOPE_SAVE_LOOP="$<TARGET_FILE:project_save_loop>")
