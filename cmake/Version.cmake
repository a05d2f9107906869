# Derives the program version from `git describe`, falling back to the project
# version outside a git checkout. Re-run at every build so a new commit shows.
set(TRACKPURITY_VERSION_IN ${PROJECT_SOURCE_DIR}/src/trackpurity/core/version.cpp.in)
set(TRACKPURITY_VERSION_OUT ${PROJECT_BINARY_DIR}/generated/version.cpp)
add_custom_target(trackpurity_version_file
  COMMAND ${CMAKE_COMMAND}
    -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
    -DINPUT=${TRACKPURITY_VERSION_IN}
    -DOUTPUT=${TRACKPURITY_VERSION_OUT}
    -DFALLBACK=${PROJECT_VERSION}
    -P ${PROJECT_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${TRACKPURITY_VERSION_OUT}
  COMMENT "Reading the program version from git")
