// Operation: one semantic change to one object, the unit the journal records.
//
//   auto op = journaldb::Operation::Upsert("tasks", "t1", {{"title", Value::String("milk")}});
//   auto inc = journaldb::Operation::Increment("tasks", "t1", "views", 1);
//   std::string text = op.ToString();   // upsert tasks/t1 title="milk"
//
// Semantics (also in docs/data-model.md):
//  - upsert: creates the object if missing, then sets each named field;
//  - erase field: removes one field (no-op if absent; the object stays);
//  - erase object: removes the object and all its fields (no-op if absent);
//  - increment: adds delta to an int64 field, creating object and field (from 0)
//    if missing; two's-complement wrap-around on overflow so increments commute;
//    fails with invalid-argument if the field holds a non-int64 value;
//  - list insert / remove / set / move: change one element of a list field,
//    named by its stable id (merge rules: docs/merge-semantics.md).
//
// Thread safety: a value type.
#ifndef JOURNALDB_OPERATION_H_
#define JOURNALDB_OPERATION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "journaldb/object.h"
#include "journaldb/status.h"
#include "journaldb/value.h"

namespace journaldb {

enum class OpKind : uint8_t {
  kUpsert = 1,
  kEraseField = 2,
  kEraseObject = 3,
  kIncrement = 4,
  kListInsert = 5,
  kListRemove = 6,
  kListSet = 7,
  kListMove = 8,
};

// True for the four list op kinds.
inline bool IsListOp(OpKind kind) { return kind >= OpKind::kListInsert; }

// "upsert", "erase-field", "erase-object", "increment", "list-insert",
// "list-remove", "list-set" or "list-move".
std::string_view OpKindName(OpKind kind);

// Limits checked by Validate(); larger inputs are rejected with invalid-argument.
inline constexpr size_t kMaxNameBytes = 255;             // collection and field names
inline constexpr size_t kMaxKeyBytes = 4096;             // primary keys
// One string or bytes value. Also what decoding accepts from stored
// journals, so it cannot shrink; the two limits below are the ones that bind.
inline constexpr size_t kMaxValueBytes = 16u << 20;

// Limits checked at commit (invalid-argument; nothing is journaled). They
// keep every journal entry uploadable and every object downloadable in one
// sync frame of 16 MiB; the protocol layer static_asserts that they fit
// (protocol/internal/journaldb/protocol/wire_codec.h, docs/data-model.md).
// A transaction's encoded journal entry: its ops with their values and the
// before-images of the fields they change.
inline constexpr size_t kMaxEntryBytes = (16u << 20) - (64u << 10);
// An object's encoded size after a commit. A commit that leaves an object
// larger than this fails unless it shrinks the object.
inline constexpr size_t kMaxObjectBytes = (16u << 20) - (64u << 10);
// A transaction's list work (fold::ListWork): every list op scans the list it
// applies to, so a transaction of many list ops on a long list costs their
// product, on the server and on every client that integrates it. About 0.06 s
// of one core at this limit (inserts: 3.8 ns a step; docs/server.md, "Limits"). The server refuses
// an upload over 4x this limit measured on its own lists (server.md, "Limits").
inline constexpr uint64_t kMaxListWork = uint64_t{1} << 24;

struct Operation {
  OpKind kind = OpKind::kUpsert;
  std::string collection;
  std::string key;
  FieldMap fields;     // kUpsert: the fields to set
  std::string field;   // kEraseField, kIncrement, list ops: the field
  int64_t delta = 0;   // kIncrement: the amount
  // List ops. kListInsert: the new element's id; the others: the element.
  ElementId element;
  // kListInsert, kListMove: the element to place after; nullopt: the head.
  std::optional<ElementId> after;
  Value value;         // kListInsert, kListSet: the element's value
  ElementId moved_to;  // kListMove: the id the element has at its new place

  static Operation Upsert(std::string collection, std::string key, FieldMap fields);
  static Operation EraseField(std::string collection, std::string key, std::string field);
  static Operation EraseObject(std::string collection, std::string key);
  static Operation Increment(std::string collection, std::string key, std::string field,
                             int64_t delta);
  static Operation ListInsert(std::string collection, std::string key, std::string field,
                              std::optional<ElementId> after, ElementId element, Value value);
  static Operation ListRemove(std::string collection, std::string key, std::string field,
                              ElementId element);
  static Operation ListSet(std::string collection, std::string key, std::string field,
                           ElementId element, Value value);
  static Operation ListMove(std::string collection, std::string key, std::string field,
                            ElementId element, std::optional<ElementId> after, ElementId moved_to);

  // Checks names and sizes: collection and field names are 1..255 bytes without
  // NUL; keys are 1..4096 bytes; string and bytes values are at most 16 MiB;
  // upserts set no list values and list elements hold no lists; element ids
  // are non-zero and a list op never anchors an element at itself.
  Status Validate() const;

  // One-line display form, e.g. `increment tasks/t1 views +1`.
  std::string ToString() const;

  friend bool operator==(const Operation&, const Operation&) = default;
};

}  // namespace journaldb

#endif  // JOURNALDB_OPERATION_H_
