#include "entry_digest.h"

#include "journaldb/protocol/wire_codec.h"

namespace journaldb::server {

Result<EntryDigest> DigestEntry(std::string_view bytes) {
  return Sha256Of({bytes}, "entry digest");
}

Result<EntryDigest> DigestOfChangesetRecord(std::string_view record) {
  Result<wire::Changeset> c = wire::DecodeChangesetRecord(record);
  if (!c.ok()) return c.status();
  return DigestEntry(c->bytes);
}

}  // namespace journaldb::server
