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

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::server {

// SHA-256 (OpenSSL) of the entry's bytes as uploaded.
using EntryDigest = std::array<unsigned char, 32>;

// IOError only if OpenSSL cannot allocate its digest context.
Result<EntryDigest> DigestEntry(std::string_view bytes);

// The digest of the entry inside a stored changeset record
// (wire::EncodeChangesetRecord); corruption if the record does not decode.
Result<EntryDigest> DigestOfChangesetRecord(std::string_view record);

// The digest as raw bytes, as the stores keep it.
std::string EntryDigestBytes(const EntryDigest& digest);
// The inverse; nullopt unless `bytes` is exactly 32 bytes long.
std::optional<EntryDigest> EntryDigestFromBytes(std::string_view bytes);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_SRC_ENTRY_DIGEST_H_
