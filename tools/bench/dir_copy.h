// The baseline the snapshot workload compares recovery snapshots with: a plain
// durable copy of a database directory (what `cp -r` followed by `sync` does),
// and the directory's size on disk (what `du` reports).
#ifndef JOURNALDB_TOOLS_BENCH_DIR_COPY_H_
#define JOURNALDB_TOOLS_BENCH_DIR_COPY_H_

#include <cstdint>
#include <string>

#include "journaldb/status.h"

namespace journaldb::bench {

// Copies the tree under `from` into the new directory `to`, file by file with
// read() and write(), fsyncing every file and every directory it creates
// before returning. REQUIRES: `to` does not exist; nothing writes under
// `from` meanwhile.
Status CopyTreeDurably(const std::string& from, const std::string& to);

enum class DirBytes {
  // Blocks allocated on disk (st_blocks * 512), as `du` counts: includes
  // space RocksDB preallocates for a write-ahead log it has not filled yet.
  kAllocated,
  // File sizes (st_size), as `du --apparent-size` counts: the bytes written.
  kApparent,
};

// The size of the regular files under `dir`, a hard-linked file counted once.
Result<uint64_t> DirectoryBytes(const std::string& dir, DirBytes kind);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_DIR_COPY_H_
