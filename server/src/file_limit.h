// The server's open files (docs/server.md, "Open files"): every connection
// holds a socket, and the store must always be able to open the files it
// needs, for RocksDB stops writing at the first flush or log switch that
// cannot. Start raises the soft limit to the hard one, then serves no more
// connections than leave the store its files.
//
//   FileBudget files{RaiseOpenFileLimit(), OpenFileCount(), StorageFilesNeeded(location)};
//   Result<uint32_t> served = ConnectionsWithin(files, options.max_connections);
#ifndef JOURNALDB_SERVER_FILE_LIMIT_H_
#define JOURNALDB_SERVER_FILE_LIMIT_H_

#include <cstdint>

#include "journaldb/status.h"

namespace journaldb::server {

// Files kept free beyond the store's: the accept of a peer refused at the
// connection cap, the event loop's own descriptors, a TLS reload's reads.
constexpr uint64_t kSpareFiles = 16;

struct FileBudget {
  uint64_t limit = 0;   // the soft RLIMIT_NOFILE
  uint64_t in_use = 0;  // descriptors open before the store is
  uint64_t store = 0;   // the store's at most (StorageFilesNeeded)
};

// Raises the soft open-file limit to the hard one (as far as the kernel
// allows) and returns the soft limit then in force.
uint64_t RaiseOpenFileLimit();

// Descriptors this process has open (/proc/self/fd); kSpareFiles * 4 if
// that cannot be read, so an unknown count errs towards fewer connections.
uint64_t OpenFileCount();

// The connections to serve: `requested`, or fewer if the limit leaves less
// room beside the store's files and the spare ones; InvalidArgument naming
// the limit if not one fits.
Result<uint32_t> ConnectionsWithin(const FileBudget& budget, uint32_t requested);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_FILE_LIMIT_H_
