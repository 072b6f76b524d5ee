# STORYSCOPE_SANITIZE: a comma-separated list of sanitizers for every target of the tree, e.g.
# "address,undefined" (the `asan` preset and scripts/sanitize.sh). ON means "address,undefined"
# (the option used to be a switch). Empty or OFF builds without sanitizers.
# UBSan reports abort the test (-fno-sanitize-recover), so CTest sees them as failures, as it does
# ASan's. The frame pointer keeps ASan's stack traces short and cheap to take.
set(STORYSCOPE_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address,undefined (empty: none)")
if(STORYSCOPE_SANITIZE STREQUAL "ON")
  set(STORYSCOPE_SANITIZE "address,undefined" CACHE STRING "" FORCE)
elseif(STORYSCOPE_SANITIZE STREQUAL "OFF")
  set(STORYSCOPE_SANITIZE "" CACHE STRING "" FORCE)
endif()

if(STORYSCOPE_SANITIZE)
  if(NOT STORYSCOPE_SANITIZE MATCHES "^[a-z-]+(,[a-z-]+)*$")
    message(FATAL_ERROR "STORYSCOPE_SANITIZE=${STORYSCOPE_SANITIZE}: expected a list such as address,undefined")
  endif()
  message(STATUS "Sanitizers: ${STORYSCOPE_SANITIZE}")
  add_compile_options(-fsanitize=${STORYSCOPE_SANITIZE} -fno-omit-frame-pointer)
  if(STORYSCOPE_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
  add_link_options(-fsanitize=${STORYSCOPE_SANITIZE})
endif()
