# Script mode: writes OUTPUT from INPUT with TRACKPURITY_GIT_VERSION filled in,
# touching OUTPUT only when the version changed so nothing rebuilds needlessly.
find_package(Git QUIET)
set(TRACKPURITY_GIT_VERSION "${FALLBACK}")
if(GIT_FOUND)
  execute_process(
    COMMAND ${GIT_EXECUTABLE} describe --tags --always --dirty
    WORKING_DIRECTORY ${SOURCE_DIR}
    OUTPUT_VARIABLE described
    RESULT_VARIABLE status
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET)
  if(status EQUAL 0 AND described)
    set(TRACKPURITY_GIT_VERSION "${FALLBACK}+g${described}")
  endif()
endif()
configure_file(${INPUT} ${OUTPUT}.new @ONLY)
file(COPY_FILE ${OUTPUT}.new ${OUTPUT} ONLY_IF_DIFFERENT)
file(REMOVE ${OUTPUT}.new)
