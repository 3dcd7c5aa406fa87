# Which RocksDB an executable links: the shared library, or Debian's static
# one (librocksdb.a, from the same librocksdb-dev) if it calls
# journaldb_link_static_rocksdb(). Every target here that links RocksDB names
# ${JOURNALDB_ROCKSDB}, resolved on the executable being linked, and the
# component libraries are static archives, so no executable of this project
# links both. librocksdb.a is built for executables only (its thread-locals
# use the executable's TLS model): a shared library cannot take it.
#
# Why static for the tools: RocksDB reads its thread-local perf counters on
# every key comparison, and in a shared library each read is a call to
# __tls_get_addr; linked into the executable it is one instruction. That was
# 7 to 8% of the instructions of a commit and of a replay (docs/benchmarks.md,
# "Linking RocksDB statically"). libjournaldb.so stays on the shared library.
set(JOURNALDB_ROCKSDB
    "$<IF:$<BOOL:$<TARGET_PROPERTY:JOURNALDB_STATIC_ROCKSDB>>,RocksDB::rocksdb,RocksDB::rocksdb-shared>")

function(journaldb_link_static_rocksdb target)
  set_target_properties(${target} PROPERTIES JOURNALDB_STATIC_ROCKSDB ON)
endfunction()
