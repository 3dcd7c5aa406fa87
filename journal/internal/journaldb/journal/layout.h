// The RocksDB layout: column family names and key formats (docs/on-disk-format.md).
// Internal: not installed.
#ifndef JOURNALDB_JOURNAL_LAYOUT_H_
#define JOURNALDB_JOURNAL_LAYOUT_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "journaldb/journal_entry.h"

namespace journaldb::layout {

inline constexpr char kStateFamily[] = "state";      // objects
inline constexpr char kJournalFamily[] = "journal";  // entries by lsn
inline constexpr char kMetaFamily[] = "meta";        // identity and cursors
// The server's state as of the download cursor (docs/merge-semantics.md);
// empty for a database that never synced.
inline constexpr char kSyncedFamily[] = "synced";

// meta keys. Numbers are 8-byte big-endian.
inline constexpr char kMetaFormat[] = "format";  // value kFormatTag
inline constexpr char kFormatTag[] = "journaldb/1";
inline constexpr char kMetaClientId[] = "client_id";
inline constexpr char kMetaEpoch[] = "epoch";
// The secret the server issued with client_id (raw bytes), written in the
// same batch as client_id; absent for a client file registered before
// servers issued secrets. Never printed.
inline constexpr char kMetaClientSecret[] = "client_secret";
// Random bytes the client file drew for its registration (raw, never
// printed): written at creation, and anew by a client reset's wipe (a client
// file from before this key that never synced draws one when opened
// writable, else before its first hello). A hello
// without a client id carries it, so a copy of the file that never synced
// registers as the client the original became (docs/protocol.md, "Hello").
inline constexpr char kMetaRegistrationSecret[] = "registration_secret";
inline constexpr size_t kRegistrationSecretBytes = 32;
inline constexpr char kMetaDownloadCursor[] = "download_cursor";
// The server's chain hash at the download cursor (raw bytes, sent in the
// hello: docs/protocol.md, "Rollback detection"), written in the same batch
// as download_cursor; absent if the server sent none.
inline constexpr char kMetaDownloadHash[] = "download_hash";
inline constexpr char kMetaUploadCursor[] = "upload_cursor";
// Highest own lsn the download stream returned: entries above it are pending.
inline constexpr char kMetaSyncedOwnLsn[] = "synced_own_lsn";
// A bootstrap in progress: its server version and the last key stored.
inline constexpr char kMetaBootstrapVersion[] = "bootstrap_version";
inline constexpr char kMetaBootstrapAfter[] = "bootstrap_after";
// Highest lsn ever assigned, written only when the journal's tail may be
// removed (retention), so lsns are never reused.
inline constexpr char kMetaLsnHighWater[] = "lsn_high_water";
// Lowest lsn the journal may hold: entries below it were removed by retention
// or by a client reset's wipe. 0 (absent): none removed.
inline constexpr char kMetaJournalFloor[] = "journal_floor";
// The pending client reset (engine/schema/client_reset.fbs); absent if none.
inline constexpr char kMetaClientReset[] = "client_reset";
// The recovery id of the last client reset that finished locally while this
// database has not yet synced in both directions since (its replayed writes
// uploaded, its download caught up): a reset demanded meanwhile is a loop.
// Absent once such a sync completed.
inline constexpr char kMetaClientResetUnsynced[] = "client_reset_unsynced";
// The outcome of the last client reset a strategy finished
// (engine/schema/client_reset_outcome.fbs); absent before the first.
inline constexpr char kMetaClientResetOutcome[] = "client_reset_outcome";
// "ack_version/" + LsnKey(lsn): the server version an own entry was stored
// at, from the upload ack or from its changeset coming back.
inline constexpr char kMetaAckVersionPrefix[] = "ack_version/";
std::string AckVersionKey(Lsn lsn);

// State key: collection, a NUL byte, primary key. Collection names cannot hold
// NUL, so keys of one collection are contiguous and sorted by primary key.
std::string StateKey(std::string_view collection, std::string_view key);
// The key range of one collection: [CollectionPrefix(c), CollectionEnd(c)).
std::string CollectionPrefix(std::string_view collection);
std::string CollectionEnd(std::string_view collection);
// Splits a state key; nullopt if it has no NUL separator.
std::optional<std::pair<std::string_view, std::string_view>> ParseStateKey(std::string_view k);

// Journal key: lsn as 8-byte big-endian, so byte order is lsn order.
std::string LsnKey(Lsn lsn);
std::optional<Lsn> ParseLsnKey(std::string_view k);

std::string EncodeU64(uint64_t v);
std::optional<uint64_t> DecodeU64(std::string_view v);

}  // namespace journaldb::layout

#endif  // JOURNALDB_JOURNAL_LAYOUT_H_
