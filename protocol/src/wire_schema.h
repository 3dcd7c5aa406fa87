// Where each message struct of wire_codec.h meets schema/protocol.fbs: one
// table, Schema<S>, lists S's fields in schema order, each with the
// generated accessor that reads the same field. Build() and Read() copy
// every message both ways from that table alone, so adding a field to the
// schema means adding it to the struct and one line here; the compiler
// checks each line against the generated code (a member whose type does not
// fit the field's, or a list that does not match the generated Create*
// function's parameters, does not compile).
//
// Read() only copies: it runs after the Verifier, and the checks that the
// schema cannot express (enum ranges, orderings, nested entries) run after
// it, in wire_codec.cc.
#ifndef JOURNALDB_PROTOCOL_WIRE_SCHEMA_H_
#define JOURNALDB_PROTOCOL_WIRE_SCHEMA_H_

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "journaldb/journal/decode_budget.h"
#include "journaldb/protocol/wire_codec.h"
#include "protocol_generated.h"

namespace journaldb::wire {

// One field: the struct's member and the generated accessor of the field.
template <class S, class M, class T, class W>
struct Field {
  using Table = T;  // the generated table or struct
  using Wire = W;   // what its accessor returns
  M S::*member;
  W (T::*read)() const;
};
template <class S, class M, class T, class W>
Field(M S::*, W (T::*)() const) -> Field<S, M, T, W>;

template <class S>
struct Schema;

template <>
struct Schema<Hello> {
  static constexpr auto kCreate = &fb::CreateHello;
  static constexpr std::tuple kFields{
      Field{&Hello::protocol_version, &fb::Hello::protocol_version},
      Field{&Hello::token, &fb::Hello::token},
      Field{&Hello::client_id, &fb::Hello::client_id},
      Field{&Hello::epoch, &fb::Hello::epoch},
      Field{&Hello::download_cursor, &fb::Hello::download_cursor},
      Field{&Hello::upload_cursor, &fb::Hello::upload_cursor},
      Field{&Hello::client_secret, &fb::Hello::client_secret},
      Field{&Hello::download_hash, &fb::Hello::download_hash},
      Field{&Hello::registration_secret, &fb::Hello::registration_secret}};
};

template <>
struct Schema<HelloOk> {
  static constexpr auto kCreate = &fb::CreateHelloOk;
  static constexpr std::tuple kFields{
      Field{&HelloOk::client_id, &fb::HelloOk::client_id},
      Field{&HelloOk::epoch, &fb::HelloOk::epoch},
      Field{&HelloOk::latest_version, &fb::HelloOk::latest_version},
      Field{&HelloOk::horizon, &fb::HelloOk::horizon},
      Field{&HelloOk::highest_stored_lsn, &fb::HelloOk::highest_stored_lsn},
      Field{&HelloOk::client_secret, &fb::HelloOk::client_secret}};
};

template <>
struct Schema<Error> {
  static constexpr auto kCreate = &fb::CreateError;
  static constexpr std::tuple kFields{
      Field{&Error::code, &fb::Error::code}, Field{&Error::message, &fb::Error::message},
      Field{&Error::reset_reason, &fb::Error::reset_reason},
      Field{&Error::restored_latest_version, &fb::Error::restored_latest_version}};
};

template <>
struct Schema<UploadEntry> {
  static constexpr auto kCreate = &fb::CreateUploadEntry;
  static constexpr std::tuple kFields{Field{&UploadEntry::lsn, &fb::UploadEntry::lsn},
                                      Field{&UploadEntry::bytes, &fb::UploadEntry::entry}};
};

template <>
struct Schema<Upload> {
  static constexpr auto kCreate = &fb::CreateUpload;
  static constexpr std::tuple kFields{Field{&Upload::client_id, &fb::Upload::client_id},
                                      Field{&Upload::entries, &fb::Upload::entries}};
};

// A struct, not a table: written inline, so "created" without the builder.
template <>
struct Schema<Ack> {
  static constexpr auto kCreate = [](flatbuffers::FlatBufferBuilder&, uint64_t lsn,
                                     uint64_t server_version) {
    return fb::Ack(lsn, server_version);
  };
  static constexpr std::tuple kFields{Field{&Ack::lsn, &fb::Ack::lsn},
                                      Field{&Ack::server_version, &fb::Ack::server_version}};
};

template <>
struct Schema<UploadAck> {
  static constexpr auto kCreate = &fb::CreateUploadAck;
  static constexpr std::tuple kFields{Field{&UploadAck::highest_lsn, &fb::UploadAck::highest_lsn},
                                      Field{&UploadAck::acks, &fb::UploadAck::acks}};
};

template <>
struct Schema<DownloadRequest> {
  static constexpr auto kCreate = &fb::CreateDownloadRequest;
  static constexpr std::tuple kFields{
      Field{&DownloadRequest::from_version, &fb::DownloadRequest::from_version},
      Field{&DownloadRequest::wait_ms, &fb::DownloadRequest::wait_ms}};
};

template <>
struct Schema<Changeset> {
  static constexpr auto kCreate = &fb::CreateChangeset;
  static constexpr std::tuple kFields{
      Field{&Changeset::server_version, &fb::Changeset::server_version},
      Field{&Changeset::origin_client, &fb::Changeset::origin_client},
      Field{&Changeset::origin_lsn, &fb::Changeset::origin_lsn},
      Field{&Changeset::server_time_us, &fb::Changeset::server_time_us},
      Field{&Changeset::bytes, &fb::Changeset::entry}};
};

template <>
struct Schema<Changesets> {
  static constexpr auto kCreate = &fb::CreateChangesets;
  static constexpr std::tuple kFields{
      Field{&Changesets::changesets, &fb::Changesets::changesets},
      Field{&Changesets::latest_version, &fb::Changesets::latest_version},
      Field{&Changesets::chain_hash, &fb::Changesets::chain_hash}};
};

template <>
struct Schema<BootstrapRequest> {
  static constexpr auto kCreate = &fb::CreateBootstrapRequest;
  static constexpr std::tuple kFields{
      Field{&BootstrapRequest::server_version, &fb::BootstrapRequest::server_version},
      Field{&BootstrapRequest::after_key, &fb::BootstrapRequest::after_key}};
};

template <>
struct Schema<StateObject> {
  static constexpr auto kCreate = &fb::CreateStateObject;
  static constexpr std::tuple kFields{Field{&StateObject::key, &fb::StateObject::key},
                                      Field{&StateObject::bytes, &fb::StateObject::object}};
};

template <>
struct Schema<BootstrapPage> {
  static constexpr auto kCreate = &fb::CreateBootstrapPage;
  static constexpr std::tuple kFields{
      Field{&BootstrapPage::server_version, &fb::BootstrapPage::server_version},
      Field{&BootstrapPage::objects, &fb::BootstrapPage::objects},
      Field{&BootstrapPage::last, &fb::BootstrapPage::last},
      Field{&BootstrapPage::client_highest_lsn, &fb::BootstrapPage::client_highest_lsn},
      Field{&BootstrapPage::chain_hash, &fb::BootstrapPage::chain_hash}};
};

// The generated table (or struct) S is written as.
template <class S>
using TableOf = typename std::tuple_element_t<0, decltype(Schema<S>::kFields)>::Table;

// --- the field kinds the schema uses -------------------------------------------

template <class W>
struct VectorKind {
  static constexpr bool kOfTables = false;
  static constexpr bool kOfStructs = false;
};
template <class T>
struct VectorKind<const flatbuffers::Vector<flatbuffers::Offset<T>>*> {
  static constexpr bool kOfTables = true;
  static constexpr bool kOfStructs = false;
};
template <class T>
struct VectorKind<const flatbuffers::Vector<const T*>*> {
  static constexpr bool kOfTables = false;
  static constexpr bool kOfStructs = true;
};

template <class S>
auto Build(flatbuffers::FlatBufferBuilder& b, const S& value);

// The value the generated Create* function takes for a field whose
// accessor returns W.
template <class W, class M>
auto ToWire(flatbuffers::FlatBufferBuilder& b, const M& value) {
  if constexpr (std::is_same_v<W, const flatbuffers::String*>) {
    return b.CreateString(value);
  } else if constexpr (std::is_same_v<W, const flatbuffers::Vector<uint8_t>*>) {
    return b.CreateVector(reinterpret_cast<const uint8_t*>(value.data()), value.size());
  } else if constexpr (VectorKind<W>::kOfTables || VectorKind<W>::kOfStructs) {
    using Element = decltype(Build(b, value.front()));
    std::vector<Element> list;
    list.reserve(value.size());
    for (const auto& e : value) list.push_back(Build(b, e));
    if constexpr (VectorKind<W>::kOfStructs)
      return b.CreateVectorOfStructs(list);
    else
      return b.CreateVector(list);
  } else {
    return static_cast<W>(value);  // a scalar or an enum
  }
}

// Writes `value` (its strings, vectors and nested tables first, then the
// table itself) and returns its offset; a struct is returned by value.
template <class S>
auto Build(flatbuffers::FlatBufferBuilder& b, const S& value) {
  return std::apply(
      [&](const auto&... field) {
        // A braced list is evaluated left to right: nested values are written
        // in schema order, which keeps the bytes the encoder always wrote.
        std::tuple args{
            ToWire<typename std::remove_cvref_t<decltype(field)>::Wire>(b, value.*field.member)...};
        return std::apply([&](const auto&... a) { return Schema<S>::kCreate(b, a...); }, args);
      },
      Schema<S>::kFields);
}

template <class S>
Status Read(const TableOf<S>* table, S* out, DecodeBudget& budget);

// A verified buffer whose offsets share data (DecodeBudget ran out).
inline Status SharedData() {
  return Status::Corruption(fmt::format("sync frame: {}", kSharedData));
}

// Copies a field whose accessor returned `wire` into `out`, charging what it
// copies to `budget`.
template <class W, class M>
Status FromWire(W wire, M* out, DecodeBudget& budget) {
  if constexpr (std::is_same_v<W, const flatbuffers::String*> ||
                std::is_same_v<W, const flatbuffers::Vector<uint8_t>*>) {
    if (wire == nullptr) {
      out->clear();
    } else {
      if (!budget.TakeString(wire->size())) return SharedData();
      out->assign(reinterpret_cast<const char*>(wire->data()), wire->size());
    }
  } else if constexpr (VectorKind<W>::kOfTables || VectorKind<W>::kOfStructs) {
    out->clear();
    if (wire == nullptr) return Status::OK();
    // A table: its offset in the vector and its vtable offset; a struct:
    // itself, in place.
    constexpr size_t kEach = VectorKind<W>::kOfTables ? 8 : sizeof(TableOf<typename M::value_type>);
    if (!budget.TakeEach(wire->size(), kEach)) return SharedData();
    // The 2.0.8 Verifier checks a struct vector's length, not that its
    // elements are aligned; a builder always aligns them, so a misaligned
    // one is a forged buffer, and reading it in place would be undefined.
    if constexpr (VectorKind<W>::kOfStructs)
      if (reinterpret_cast<uintptr_t>(wire->Data()) % alignof(TableOf<typename M::value_type>) != 0)
        return Status::Corruption("sync frame: misaligned vector of structs");
    out->resize(wire->size());
    for (flatbuffers::uoffset_t i = 0; i < wire->size(); ++i)
      if (Status s = Read(wire->Get(i), &(*out)[i], budget); !s.ok()) return s;
  } else {
    *out = static_cast<M>(wire);  // a scalar or an enum, range-checked later
  }
  return Status::OK();
}

// Copies every field of `table` into `out`. REQUIRES: `table` verified.
template <class S>
Status Read(const TableOf<S>* table, S* out, DecodeBudget& budget) {
  return std::apply(
      [&](const auto&... field) {
        Status s;
        (void)((s = FromWire((table->*field.read)(), &(out->*field.member), budget), s.ok()) &&
               ...);
        return s;
      },
      Schema<S>::kFields);
}

}  // namespace journaldb::wire

#endif  // JOURNALDB_PROTOCOL_WIRE_SCHEMA_H_
