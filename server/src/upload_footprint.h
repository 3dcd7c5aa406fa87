// UploadFootprint: an upper bound of the heap a decoded upload holds, which
// its connection charges to the budget for frames in flight while the upload
// waits for its group commit (docs/server.md, "Limits"). The frame's bytes
// understate it: each entry is kept as its bytes and as a decoded
// JournalEntry, whose ops, fields and before-images are several times the
// size of their encoding (an upload of many small entries holds about ten
// times its frame).
//
//   if (!lease.Grow(UploadFootprint(upload) - lease.held())) ...refuse...
//
// Thread safety: a pure function.
#ifndef JOURNALDB_SERVER_SRC_UPLOAD_FOOTPRINT_H_
#define JOURNALDB_SERVER_SRC_UPLOAD_FOOTPRINT_H_

#include <cstddef>

#include "journaldb/protocol/wire_codec.h"

namespace journaldb::server {

size_t UploadFootprint(const wire::Upload& upload);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_SRC_UPLOAD_FOOTPRINT_H_
