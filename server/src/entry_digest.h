// The digest of an uploaded entry's bytes, which the origin index keeps
// beside the version the entry got (docs/server.md): a re-upload of the same
// lsn is compared with it, so a client whose data went back is caught even
// after the operator trimmed the changeset (docs/client-reset.md, "A client
// database put back from a backup").
//
// Origins written before digests hold the version alone; for those the
// stored changeset is digested instead while it is kept
// (DigestOfChangesetRecord).
//
// Thread safety: pure functions.
#ifndef JOURNALDB_SERVER_SRC_ENTRY_DIGEST_H_
#define JOURNALDB_SERVER_SRC_ENTRY_DIGEST_H_

#include <string_view>

#include "journaldb/server/sha256.h"
#include "journaldb/status.h"

namespace journaldb::server {

// SHA-256 of the entry's bytes as uploaded; DigestBytes and DigestFromBytes
// (sha256.h) convert it to and from the bytes the stores keep.
using EntryDigest = Sha256Digest;

// IOError only if OpenSSL cannot allocate its digest context.
Result<EntryDigest> DigestEntry(std::string_view bytes);

// The digest of the entry inside a stored changeset record
// (wire::EncodeChangesetRecord); corruption if the record does not decode.
Result<EntryDigest> DigestOfChangesetRecord(std::string_view record);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_SRC_ENTRY_DIGEST_H_
