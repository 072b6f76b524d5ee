# One precompiled header for every target that includes LibTorch: it is by far the
# most expensive part of each translation unit (~10 s without it on the CI machine).
# Libraries are compiled -fPIC, and so is everything that links Qt (Qt adds -fPIC to its users);
# plain executables (the CLI) use the compiler's default (-fPIE on Debian). GCC refuses a PCH made
# with the other setting, so those executables reuse their own copy. Pass QT for Qt executables.
function(storyscope_use_torch_pch target)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "EXECUTABLE" AND NOT "QT" IN_LIST ARGN)
    if(TARGET storyscope_pch_exe)
      target_precompile_headers(${target} REUSE_FROM storyscope_pch_exe)
    endif()
  elseif(TARGET storyscope_pch)
    target_precompile_headers(${target} REUSE_FROM storyscope_pch)
  endif()
endfunction()

# storyscope_core_module(name SOURCES ... DEPS ...): one static library per engine module,
# so a test links only what it exercises and a change relinks little.
function(storyscope_core_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT M_SOURCES)
    # A module with no sources yet still exists, so dependants link.
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${M_DEPS} ${TORCH_LIBRARIES} nlohmann_json::nlohmann_json)
    return()
  endif()
  add_library(${name} STATIC ${M_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${M_DEPS} ${TORCH_LIBRARIES} nlohmann_json::nlohmann_json)
  target_compile_options(${name} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  storyscope_use_torch_pch(${name})
endfunction()
