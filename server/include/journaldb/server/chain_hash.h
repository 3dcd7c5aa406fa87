// The history's hash chain (docs/protocol.md, "Rollback detection"): each
// server version's hash covers the previous version's hash and the
// changeset, so two histories with the same hash at a version are the same
// history up to it. A client keeps the hash at its download cursor and sends
// it in its hello; a server whose data was rolled back in place (an older
// data directory copied back, version numbers reused) no longer has that
// hash there, and the client resets instead of diverging.
//
//   ChainHash h = kChainStart;                   // before version 1
//   for (const wire::Changeset& c : history) h = NextChainHash(h, c).value();
//   std::string wire_bytes = DigestBytes(h);     // Changesets.chain_hash
//
// Thread safety: pure functions.
#ifndef JOURNALDB_SERVER_CHAIN_HASH_H_
#define JOURNALDB_SERVER_CHAIN_HASH_H_

#include <tuple>

#include "journaldb/protocol/wire_codec.h"
#include "journaldb/server/sha256.h"
#include "journaldb/status.h"

namespace journaldb::server {

// SHA-256, wire::kChainHashBytes long; DigestBytes and DigestFromBytes
// (sha256.h) convert it to and from the bytes the wire and the stores carry.
using ChainHash = Sha256Digest;
static_assert(std::tuple_size_v<ChainHash> == wire::kChainHashBytes);

// The chain before its first version: all zero. Every lineage starts here;
// a restore continues the backup's chain (epochs are told apart by the
// epoch, not by the chain).
inline constexpr ChainHash kChainStart{};

// SHA-256 of: `previous` (32 bytes), then the changeset's server version,
// origin client and origin lsn (8 bytes big-endian each), the length of its
// entry bytes (8 bytes big-endian) and the entry bytes. The store time is
// left out: a changeset stored again with the same content (a re-upload
// after a lost ack reaching the same version) makes the same state.
// IOError only if OpenSSL cannot allocate its digest context.
Result<ChainHash> NextChainHash(const ChainHash& previous, const wire::Changeset& changeset);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_CHAIN_HASH_H_
