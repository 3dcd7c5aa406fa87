# Which malloc the tools run on. journal, journal-server and journal-bench call
# journaldb_link_tcmalloc() and, unless JOURNALDB_TCMALLOC is OFF, link
# gperftools' tcmalloc_minimal (Debian's libgoogle-perftools-dev) in place of
# glibc's malloc. The libraries never do: an embedding application picks its
# own allocator, and the tests keep glibc's (some replace operator new).
#
# Why: RocksDB and the engine allocate on every commit and every replayed
# transaction, and glibc's malloc was about a seventh of a replay's CPU. On
# tcmalloc replays and commits took a tenth to a sixth less CPU per op, at 5
# to 10 MiB more peak RSS (docs/benchmarks.md, "The allocator").
#
# Sanitizer and fuzz builds keep ASan's allocator: it must see every
# allocation to check it.
option(JOURNALDB_TCMALLOC
       "Link journal, journal-server and journal-bench with tcmalloc (gperftools)" ON)

set(JOURNALDB_USE_TCMALLOC OFF)
if(JOURNALDB_TCMALLOC AND NOT JOURNALDB_SANITIZE AND NOT JOURNALDB_BUILD_FUZZERS)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(TCMALLOC REQUIRED IMPORTED_TARGET libtcmalloc_minimal)
  set(JOURNALDB_USE_TCMALLOC ON)
endif()

function(journaldb_link_tcmalloc target)
  if(JOURNALDB_USE_TCMALLOC)
    # Nothing calls tcmalloc by name: it replaces malloc by being linked, so
    # a linker dropping unreferenced libraries (--as-needed) must keep it.
    target_link_libraries(${target} PRIVATE "-Wl,--push-state,--no-as-needed"
                                            PkgConfig::TCMALLOC "-Wl,--pop-state")
  endif()
endfunction()
