// Encoding and verified decoding of journal entries and stored objects
// (FlatBuffers, schema/journal.fbs). Internal: not installed.
//
// Decoding treats its input as untrusted: it checks the size, runs the
// FlatBuffers Verifier, then checks what the Verifier does not (union types,
// required invariants) before building any value. Errors are corruption
// statuses naming the lsn or object.
#ifndef JOURNALDB_JOURNAL_CODEC_H_
#define JOURNALDB_JOURNAL_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "journaldb/journal_entry.h"
#include "journaldb/object.h"
#include "journaldb/status.h"

namespace journaldb::codec {

// Buffers larger than this are rejected before verification.
inline constexpr size_t kMaxEncodedBytes = size_t{1} << 30;

// Running counts of a journal through one entry, that entry included. The
// committer keeps them from the first commit after an open that found none
// (a database from before tallies, or an empty journal); only differences
// between two entries of one unbroken run mean something (docs/on-disk-format.md).
struct JournalTally {
  uint64_t entries = 0;
  uint64_t ops = 0;
  friend bool operator==(const JournalTally&, const JournalTally&) = default;
};

// `tally`: stored with the entry if not null.
std::string EncodeEntry(const JournalEntry& entry, const JournalTally* tally = nullptr);

// Decodes (and so verifies) an entry read under journal key `expected_lsn`
// and returns only its tally: nullopt if it has none.
Result<std::optional<JournalTally>> DecodeEntryTally(std::string_view bytes, Lsn expected_lsn);

// Decodes an entry read under journal key `expected_lsn`; a mismatching lsn
// inside the entry is corruption.
Result<JournalEntry> DecodeEntry(std::string_view bytes, Lsn expected_lsn);

// Decodes an entry whose lsn is not known in advance (fuzzing, export files).
Result<JournalEntry> DecodeEntryAnyLsn(std::string_view bytes);

std::string EncodeObject(const FieldMap& fields);

// `where` names the object in error messages, e.g. `tasks/"t1"`.
Result<FieldMap> DecodeObject(std::string_view bytes, std::string_view where);

// DecodeObject of the stored state of object `key` in `collection`, whose
// name is formatted only into an error.
Result<std::optional<FieldMap>> DecodeStoredObject(std::string_view bytes,
                                                   std::string_view collection,
                                                   std::string_view key);

}  // namespace journaldb::codec

#endif  // JOURNALDB_JOURNAL_CODEC_H_
