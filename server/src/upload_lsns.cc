#include "journaldb/server/upload_lsns.h"

#include <fmt/format.h>

namespace journaldb::server {

Status CheckUploadLsns(uint64_t client_id, Lsn highest_stored,
                       const std::vector<wire::UploadEntry>& entries) {
  Lsn previous = highest_stored;
  for (const wire::UploadEntry& e : entries) {
    if (e.lsn > kMaxUploadLsn)
      return Status::InvalidArgument(
          fmt::format("upload: lsn {} of client {} is beyond the highest usable lsn {}", e.lsn,
                      client_id, kMaxUploadLsn));
    if (e.lsn <= highest_stored) continue;  // a re-upload, acknowledged again
    if (previous != 0 && e.lsn != previous + 1)
      return Status::InvalidArgument(
          fmt::format("upload: lsn {} of client {} leaves a gap: the next lsn must be {}", e.lsn,
                      client_id, previous + 1));
    previous = e.lsn;
  }
  return Status::OK();
}

}  // namespace journaldb::server
