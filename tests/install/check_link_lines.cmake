# Included by check_install.cmake after the install into ${prefix}: the link
# lines docs/api.md gives for builds without CMake. pkg-config links the
# consumer against libjournaldb.so (the binary then needs its SONAME) and,
# with --static, against libjournaldb.a; the plain -l line against the
# component archives (neither needs libjournaldb at run time).
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${libdir}/pkgconfig)

function(pkg_config out)
  run(${PKG_CONFIG} ${ARGN} journaldb)
  separate_arguments(flags UNIX_COMMAND "${last_output}")
  set(${out} ${flags} PARENT_SCOPE)
endfunction()

pkg_config(cflags --cflags)
run(${CXX} -std=c++20 ${cflags} -c ${CONSUMER_SOURCE}/main.cc -o ${WORK_DIR}/main.o)

pkg_config(libs --libs)
run(${CXX} ${WORK_DIR}/main.o -o ${WORK_DIR}/consumer-pkg-config-shared ${libs}
    -Wl,-rpath,${libdir})
check_consumer(${WORK_DIR}/consumer-pkg-config-shared TRUE)

# -Bstatic picks libjournaldb.a over libjournaldb.so; --as-needed drops the
# -ljournaldb that pkg-config repeats, which the archive already satisfied.
pkg_config(static_libs --static --libs)
run(${CXX} ${WORK_DIR}/main.o -o ${WORK_DIR}/consumer-pkg-config-static
    -Wl,-Bstatic -ljournaldb -Wl,-Bdynamic -Wl,--as-needed ${static_libs})
check_consumer(${WORK_DIR}/consumer-pkg-config-static FALSE)

run(${CXX} ${WORK_DIR}/main.o -o ${WORK_DIR}/consumer-plain-static -L${libdir}
    -ljournaldb_recovery -ljournaldb_engine -ljournaldb_protocol -ljournaldb_journal
    -lrocksdb -lboost_filesystem -lfmt -lssl -lcrypto -pthread)
check_consumer(${WORK_DIR}/consumer-plain-static FALSE)
message(STATUS "link lines: pkg-config (${soname}, libjournaldb.a) and plain -l")
