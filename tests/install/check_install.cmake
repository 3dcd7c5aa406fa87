# Run with cmake -P; see CMakeLists.txt in this folder.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(header journaldb/database.h journaldb/status.h journaldb/value.h)
  if(NOT EXISTS ${prefix}/include/${header})
    message(FATAL_ERROR "installed tree lacks include/${header}")
  endif()
endforeach()
# Private headers must not be installed.
file(GLOB_RECURSE leaked ${prefix}/include/*generated* ${prefix}/include/*_impl.h
     ${prefix}/include/journaldb/journal/*)
if(leaked)
  message(FATAL_ERROR "private headers installed: ${leaked}")
endif()

run(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE} -B ${WORK_DIR}/build
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer ${WORK_DIR}/db)
if(NOT last_output MATCHES "consumer: lsn 2, title \"milk\", views 3")
  message(FATAL_ERROR "unexpected consumer output: ${last_output}")
endif()
message(STATUS "consumer output: ${last_output}")

# Every example in README.md, docs/ and the public headers compiles against
# the installed package, warnings as errors (examples/CMakeLists.txt).
run(${CMAKE_COMMAND} -S ${EXAMPLES_SOURCE} -B ${WORK_DIR}/examples
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/examples)
run(${WORK_DIR}/examples/example_client_reset)
message(STATUS "examples built")
