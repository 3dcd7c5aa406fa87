// Hand-built journal entries that a correct writer never produces: the shapes
// a newer version, a bug or a damaged disk could leave behind. Built with the
// generated FlatBuffers code so they pass the Verifier and reach the checks
// the decoder must make itself.
#ifndef JOURNALDB_TESTS_SUPPORT_HOSTILE_ENTRIES_H_
#define JOURNALDB_TESTS_SUPPORT_HOSTILE_ENTRIES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "journaldb/journal_entry.h"

namespace journaldb::testing {

// An entry for `lsn` whose only op has union type `op_type` (known kinds are
// 1..4) and an EraseObject table as its value.
std::string EntryWithOpType(Lsn lsn, uint8_t op_type);

// An entry for `lsn` upserting one field whose value has union type
// `value_type` (known types are 1..6) and a NullValue table.
std::string EntryWithValueType(Lsn lsn, uint8_t value_type);

// A well-formed entry for `lsn` except for its format_version.
std::string EntryWithFormatVersion(Lsn lsn, uint16_t format_version);

// An entry for `lsn` with a before-image that says the field was present but
// carries a value of union type `value_type`.
std::string EntryWithBeforeImageValueType(Lsn lsn, uint8_t value_type);

// A stored object whose one field has union type `value_type`.
std::string ObjectWithValueType(uint8_t value_type);

// An entry for `lsn` whose ops are `copies` offsets to one upsert of a
// string field of `value_bytes` bytes: valid FlatBuffers (the Verifier
// allows shared offsets) that decode to `copies` times their own size.
// With `copies` 1 it is an ordinary entry.
std::string EntryWithSharedOp(Lsn lsn, size_t copies, size_t value_bytes);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_HOSTILE_ENTRIES_H_
