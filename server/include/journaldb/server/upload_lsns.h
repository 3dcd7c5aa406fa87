// Upload lsns: whether an upload's entries may be stored after what the
// server holds of their client (docs/protocol.md, "Upload"), as a pure
// function, so the rule is tested without a socket or a store.
//
//   Status s = CheckUploadLsns(client_id, record.highest_lsn, upload.entries);
//   if (!s.ok()) return Refuse(s);
//
// Thread safety: reads only its arguments; call it from any thread.
#ifndef JOURNALDB_SERVER_UPLOAD_LSNS_H_
#define JOURNALDB_SERVER_UPLOAD_LSNS_H_

#include <cstdint>
#include <vector>

#include "journaldb/protocol/wire_codec.h"
#include "journaldb/status.h"

namespace journaldb::server {

// The highest lsn an upload may carry: its successor would not fit the
// 64-bit lsn, and a client stuck there would re-upload forever.
constexpr Lsn kMaxUploadLsn = ~Lsn{0} - 1;

// OK if `entries` (increasing, as the codec verified) are re-uploads at or
// below `highest_stored` followed by lsns that continue from it one by one.
// A client with nothing stored (0) may start at any lsn: a client's lsns go
// on across client resets, which give it a new id. Invalid-argument naming
// the first lsn that leaves a gap or exceeds kMaxUploadLsn.
Status CheckUploadLsns(uint64_t client_id, Lsn highest_stored,
                       const std::vector<wire::UploadEntry>& entries);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_UPLOAD_LSNS_H_
