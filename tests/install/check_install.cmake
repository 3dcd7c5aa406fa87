# Run with cmake -P; see CMakeLists.txt in this folder.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
set(libdir ${prefix}/${LIBDIR})

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

# The SONAME carries the ABI version, and the development symlink leads to it.
run(readelf -d ${libdir}/libjournaldb.so)
if(NOT last_output MATCHES "Library soname: \\[(libjournaldb\\.so\\.[0-9.]+)\\]")
  message(FATAL_ERROR "libjournaldb.so has no versioned SONAME:\n${last_output}")
endif()
set(soname ${CMAKE_MATCH_1})
if(NOT EXISTS ${libdir}/${soname} OR NOT IS_SYMLINK ${libdir}/${soname})
  message(FATAL_ERROR "the SONAME ${soname} is not installed as a link to the versioned file")
endif()

function(check_consumer binary needs_shared)
  get_filename_component(name ${binary} NAME)
  run(${binary} ${WORK_DIR}/db-${name})
  if(NOT last_output MATCHES "consumer: lsn 2, title \"milk\", views 3")
    message(FATAL_ERROR "unexpected output of ${binary}: ${last_output}")
  endif()
  run(readelf -d ${binary})
  string(FIND "${last_output}" "[${soname}]" at)
  if(needs_shared AND at EQUAL -1)
    message(FATAL_ERROR "${binary} does not need ${soname}:\n${last_output}")
  elseif(NOT needs_shared AND NOT at EQUAL -1)
    message(FATAL_ERROR "${binary} was linked statically but needs ${soname}")
  endif()
endfunction()

run(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE} -B ${WORK_DIR}/build
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
check_consumer(${WORK_DIR}/build/consumer FALSE)
check_consumer(${WORK_DIR}/build/consumer_shared TRUE)
check_consumer(${WORK_DIR}/build/consumer_static_rocksdb FALSE)

# RocksDB is shared unless the linking target asks for it statically; the
# installed tools do (cmake/JournaldbRocksDB.cmake).
function(check_rocksdb binary needs_shared)
  run(readelf -d ${binary})
  if(needs_shared AND NOT last_output MATCHES "\\[librocksdb\\.so")
    message(FATAL_ERROR "${binary} does not need librocksdb.so:\n${last_output}")
  elseif(NOT needs_shared AND last_output MATCHES "\\[librocksdb\\.so")
    message(FATAL_ERROR "${binary} should link RocksDB statically but needs librocksdb.so")
  endif()
endfunction()
check_rocksdb(${WORK_DIR}/build/consumer TRUE)
check_rocksdb(${libdir}/libjournaldb.so TRUE)
check_rocksdb(${WORK_DIR}/build/consumer_static_rocksdb FALSE)
set(tools)
if(TOOLS)
  list(APPEND tools journal journal-server)
endif()
if(BENCH)
  list(APPEND tools journal-bench)
endif()
foreach(tool ${tools})
  check_rocksdb(${prefix}/bin/${tool} FALSE)
endforeach()

include(${CMAKE_CURRENT_LIST_DIR}/check_link_lines.cmake)

# Every example in README.md, docs/ and the public headers compiles against
# the installed package, warnings as errors (examples/CMakeLists.txt).
run(${CMAKE_COMMAND} -S ${EXAMPLES_SOURCE} -B ${WORK_DIR}/examples
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run(${CMAKE_COMMAND} --build ${WORK_DIR}/examples)
run(${WORK_DIR}/examples/example_client_reset)
message(STATUS "examples built")
