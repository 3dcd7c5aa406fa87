#include "support/hostile_entries.h"

#include <vector>

#include "journal_generated.h"

namespace journaldb::testing {

namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

std::string Bytes(const FlatBufferBuilder& b) {
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

// Finishes an entry around the given ops and before-images.
std::string FinishEntry(FlatBufferBuilder& b, Lsn lsn, uint16_t format_version,
                        const std::vector<Offset<fb::OpRecord>>& ops,
                        const std::vector<Offset<fb::BeforeImage>>& before) {
  auto ops_vec = b.CreateVector(ops);
  auto before_vec = b.CreateVector(before);
  auto root = fb::CreateEntry(b, format_version, lsn, 0, 0, 0, 0, ops_vec, before_vec);
  fb::FinishEntryBuffer(b, root);
  return Bytes(b);
}

Offset<fb::OpRecord> EraseObjectOp(FlatBufferBuilder& b, fb::Op type) {
  auto c = b.CreateString("tasks");
  auto k = b.CreateString("t1");
  return fb::CreateOpRecord(b, type, fb::CreateEraseObject(b, c, k).Union());
}

}  // namespace

std::string EntryWithOpType(Lsn lsn, uint8_t op_type) {
  FlatBufferBuilder b;
  auto op = EraseObjectOp(b, static_cast<fb::Op>(op_type));
  return FinishEntry(b, lsn, 1, {op}, {});
}

std::string EntryWithValueType(Lsn lsn, uint8_t value_type) {
  FlatBufferBuilder b;
  auto name = b.CreateString("title");
  auto field =
      fb::CreateField(b, name, static_cast<fb::Value>(value_type), fb::CreateNullValue(b).Union());
  auto fields = b.CreateVector(std::vector<Offset<fb::Field>>{field});
  auto c = b.CreateString("tasks");
  auto k = b.CreateString("t1");
  auto op =
      fb::CreateOpRecord(b, fb::Op::UpsertFields, fb::CreateUpsertFields(b, c, k, fields).Union());
  return FinishEntry(b, lsn, 1, {op}, {});
}

std::string EntryWithSharedOp(Lsn lsn, size_t copies, size_t value_bytes) {
  FlatBufferBuilder b;
  auto name = b.CreateString("title");
  auto value = fb::CreateStringValue(b, b.CreateString(std::string(value_bytes, 'v')));
  auto field = fb::CreateField(b, name, fb::Value::StringValue, value.Union());
  auto fields = b.CreateVector(std::vector<Offset<fb::Field>>{field});
  auto c = b.CreateString("tasks");
  auto k = b.CreateString("t1");
  auto op =
      fb::CreateOpRecord(b, fb::Op::UpsertFields, fb::CreateUpsertFields(b, c, k, fields).Union());
  return FinishEntry(b, lsn, 1, std::vector<Offset<fb::OpRecord>>(copies, op), {});
}

std::string EntryWithFormatVersion(Lsn lsn, uint16_t format_version) {
  FlatBufferBuilder b;
  auto op = EraseObjectOp(b, fb::Op::EraseObject);
  return FinishEntry(b, lsn, format_version, {op}, {});
}

std::string EntryWithBeforeImageValueType(Lsn lsn, uint8_t value_type) {
  FlatBufferBuilder b;
  auto op = EraseObjectOp(b, fb::Op::EraseObject);
  auto c = b.CreateString("tasks");
  auto k = b.CreateString("t1");
  auto f = b.CreateString("title");
  auto img =
      fb::CreateBeforeImage(b, c, k, f, /*object_existed=*/true, /*field_present=*/true,
                            static_cast<fb::Value>(value_type), fb::CreateNullValue(b).Union());
  return FinishEntry(b, lsn, 1, {op}, {img});
}

std::string ObjectWithValueType(uint8_t value_type) {
  FlatBufferBuilder b;
  auto name = b.CreateString("title");
  auto field =
      fb::CreateField(b, name, static_cast<fb::Value>(value_type), fb::CreateNullValue(b).Union());
  auto fields = b.CreateVector(std::vector<Offset<fb::Field>>{field});
  b.Finish(fb::CreateObject(b, fields), "JDBO");
  return Bytes(b);
}

}  // namespace journaldb::testing
