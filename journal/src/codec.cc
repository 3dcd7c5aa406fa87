#include "journaldb/journal/codec.h"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <exception>
#include <initializer_list>
#include <set>
#include <vector>

#include "journal_generated.h"
#include "journaldb/journal/aligned_bytes.h"
#include "journaldb/journal/decode_budget.h"
#include "journaldb/journal/text.h"

namespace journaldb::codec {

namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

// The thread's builder, cleared, for one encode. Builders are reused per
// thread: commits encode on the committing thread, and a reused builder
// avoids an allocation per commit. An encode that throws (std::bad_alloc)
// resets it: flatbuffers raises its reserved size before the allocation that
// fails (vector_downward::reallocate), and a builder kept so would write past
// its buffer at the thread's next encode.
class ThreadBuilder {
 public:
  ThreadBuilder() : builder_(Builder()) { builder_.Clear(); }
  ~ThreadBuilder() {
    if (std::uncaught_exceptions() > exceptions_) builder_.Reset();
  }
  ThreadBuilder(const ThreadBuilder&) = delete;
  ThreadBuilder& operator=(const ThreadBuilder&) = delete;
  FlatBufferBuilder& get() { return builder_; }

 private:
  static FlatBufferBuilder& Builder() {
    thread_local FlatBufferBuilder builder(1024);
    return builder;
  }
  FlatBufferBuilder& builder_;
  const int exceptions_ = std::uncaught_exceptions();
};

std::string Finish(FlatBufferBuilder& b) {
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Offset<flatbuffers::String> Str(FlatBufferBuilder& b, std::string_view s) {
  return b.CreateString(s.data(), s.size());
}

fb::ElementIdentity Identity(ElementId id) { return fb::ElementIdentity(id.counter, id.replica); }

std::pair<fb::Value, Offset<void>> EncodeValue(FlatBufferBuilder& b, const Value& v);

Offset<fb::ListValue> EncodeList(FlatBufferBuilder& b, const List& list) {
  std::vector<Offset<fb::ListElement>> out;
  out.reserve(list.elements.size());
  for (const ListElement& e : list.elements) {
    const fb::ElementIdentity id = Identity(e.id);
    const fb::ElementIdentity moved_to = e.moved_to ? Identity(*e.moved_to) : fb::ElementIdentity();
    fb::Value type = fb::Value::NONE;
    Offset<void> off = 0;
    if (!e.removed) std::tie(type, off) = EncodeValue(b, e.value);
    out.push_back(
        fb::CreateListElement(b, &id, e.removed, e.moved_to ? &moved_to : nullptr, type, off));
  }
  return fb::CreateListValue(b, b.CreateVector(out));
}

std::pair<fb::Value, Offset<void>> EncodeValue(FlatBufferBuilder& b, const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: return {fb::Value::NullValue, fb::CreateNullValue(b).Union()};
    case ValueType::kBool: return {fb::Value::BoolValue, fb::CreateBoolValue(b, v.as_bool()).Union()};
    case ValueType::kInt: return {fb::Value::IntValue, fb::CreateIntValue(b, v.as_int()).Union()};
    case ValueType::kDouble: {
      // -0.0 compares equal to the default 0.0 and would be omitted, decoding
      // as +0.0: force the field so every double keeps its bits.
      b.ForceDefaults(true);
      auto off = fb::CreateDoubleValue(b, v.as_double());
      b.ForceDefaults(false);
      return {fb::Value::DoubleValue, off.Union()};
    }
    case ValueType::kString: {
      auto s = Str(b, v.as_string());
      return {fb::Value::StringValue, fb::CreateStringValue(b, s).Union()};
    }
    case ValueType::kBytes: {
      const std::string& d = v.as_bytes();
      auto vec = b.CreateVector(reinterpret_cast<const uint8_t*>(d.data()), d.size());
      return {fb::Value::BytesValue, fb::CreateBytesValue(b, vec).Union()};
    }
    case ValueType::kList:
      return {fb::Value::ListValue, EncodeList(b, v.as_list()).Union()};
  }
  return {fb::Value::NullValue, fb::CreateNullValue(b).Union()};
}

// The element offsets of a vector under construction (FlatBuffers writes the
// elements before the vector). Commits encode a few elements per vector: those
// stay on the stack, sparing an allocation per vector on the commit path.
template <typename T>
class OffsetList {
 public:
  explicit OffsetList(size_t capacity) {
    if (capacity > kInline) heap_.reserve(capacity);
  }
  void push_back(Offset<T> o) {
    if (heap_.empty() && size_ < kInline) {
      inline_[size_++] = o;
      return;
    }
    if (heap_.empty()) heap_.assign(inline_.begin(), inline_.begin() + size_);
    heap_.push_back(o);
    ++size_;
  }
  Offset<flatbuffers::Vector<Offset<T>>> Create(FlatBufferBuilder& b) const {
    return b.CreateVector(heap_.empty() ? inline_.data() : heap_.data(), size_);
  }

 private:
  static constexpr size_t kInline = 8;
  std::array<Offset<T>, kInline> inline_{};
  std::vector<Offset<T>> heap_;
  size_t size_ = 0;
};

Offset<flatbuffers::Vector<Offset<fb::Field>>> EncodeFields(FlatBufferBuilder& b,
                                                           const FieldMap& fields) {
  OffsetList<fb::Field> out(fields.size());
  for (const auto& [name, value] : fields) {
    auto n = Str(b, name);
    auto [type, off] = EncodeValue(b, value);
    out.push_back(fb::CreateField(b, n, type, off));
  }
  return out.Create(b);
}

Offset<fb::OpRecord> EncodeOp(FlatBufferBuilder& b, const Operation& op) {
  auto c = Str(b, op.collection);
  auto k = Str(b, op.key);
  switch (op.kind) {
    case OpKind::kUpsert: {
      auto f = EncodeFields(b, op.fields);
      return fb::CreateOpRecord(b, fb::Op::UpsertFields, fb::CreateUpsertFields(b, c, k, f).Union());
    }
    case OpKind::kEraseField: {
      auto f = Str(b, op.field);
      return fb::CreateOpRecord(b, fb::Op::EraseField, fb::CreateEraseField(b, c, k, f).Union());
    }
    case OpKind::kEraseObject:
      return fb::CreateOpRecord(b, fb::Op::EraseObject, fb::CreateEraseObject(b, c, k).Union());
    case OpKind::kIncrement: {
      auto f = Str(b, op.field);
      return fb::CreateOpRecord(b, fb::Op::Increment,
                                fb::CreateIncrement(b, c, k, f, op.delta).Union());
    }
    case OpKind::kListInsert:
    case OpKind::kListRemove:
    case OpKind::kListSet:
    case OpKind::kListMove: {
      auto f = Str(b, op.field);
      const fb::ElementIdentity id = Identity(op.element);
      const fb::ElementIdentity after = op.after ? Identity(*op.after) : fb::ElementIdentity();
      const fb::ElementIdentity* after_ptr = op.after ? &after : nullptr;
      if (op.kind == OpKind::kListRemove)
        return fb::CreateOpRecord(b, fb::Op::ListRemove,
                                  fb::CreateListRemove(b, c, k, f, &id).Union());
      if (op.kind == OpKind::kListMove) {
        const fb::ElementIdentity moved_to = Identity(op.moved_to);
        return fb::CreateOpRecord(
            b, fb::Op::ListMove, fb::CreateListMove(b, c, k, f, &id, after_ptr, &moved_to).Union());
      }
      auto [type, value] = EncodeValue(b, op.value);
      if (op.kind == OpKind::kListSet)
        return fb::CreateOpRecord(b, fb::Op::ListSet,
                                  fb::CreateListSet(b, c, k, f, &id, type, value).Union());
      return fb::CreateOpRecord(
          b, fb::Op::ListInsert,
          fb::CreateListInsert(b, c, k, f, &id, after_ptr, type, value).Union());
    }
  }
  return fb::CreateOpRecord(b, fb::Op::NONE, 0);
}

// --- decoding ---------------------------------------------------------------


std::string_view View(const flatbuffers::String* s) { return {s->data(), s->size()}; }

ElementId Id(const fb::ElementIdentity* id) { return ElementId{id->counter(), id->replica()}; }

// Decoding charges each string it copies and each vector it walks to the
// entry's or object's DecodeBudget; this is the error once it runs out.
template <typename Where>
Status SharedData(const Where& where) {
  return Status::Corruption(fmt::format("{}: {}", where(), kSharedData));
}

// The fewest bytes a genuine buffer spends on one element of each vector,
// beside its strings (charged apart): the offset in the vector and the fixed
// part of the table(s) it reaches. Charged in full so that a forged buffer
// cannot make many decoded elements, each some hundred bytes, out of a few
// bytes either.
// An op: its OpRecord (vtable offset, union offset and type) and the op's
// table (vtable offset, at least two string offsets).
constexpr size_t kOpBytes = 4 + 12 + 12;
// A before-image: vtable offset, three string offsets.
constexpr size_t kBeforeImageBytes = 4 + 16;
// A field: vtable offset, name and value offsets, value type.
constexpr size_t kFieldBytes = 4 + 13;
// A list element: vtable offset, its 16-byte id.
constexpr size_t kListElementBytes = 4 + 20;

bool TakeStrings(DecodeBudget& budget, std::initializer_list<const flatbuffers::String*> strings) {
  for (const flatbuffers::String* s : strings)
    if (!budget.TakeString(s->size())) return false;
  return true;
}

template <typename Where>
Result<Value> DecodeValue(fb::Value type, const void* table, DecodeBudget& budget,
                          const Where& where, bool in_list = false);

// A stored list must be one the fold could have made: ids non-zero and
// unique, values on present elements only, forwarding only on tombstones.
template <typename Where>
Result<Value> DecodeList(const fb::ListValue* stored, DecodeBudget& budget, const Where& where) {
  if (!budget.TakeEach(stored->elements()->size(), kListElementBytes)) return SharedData(where);
  List list;
  list.elements.reserve(stored->elements()->size());
  std::set<ElementId> ids;
  for (const fb::ListElement* e : *stored->elements()) {
    ListElement element;
    element.id = Id(e->id());
    element.removed = e->removed();
    if (e->moved_to() != nullptr) element.moved_to = Id(e->moved_to());
    const bool has_value = e->value_type() != fb::Value::NONE;
    if (element.id.counter == 0 || !ids.insert(element.id).second || has_value == element.removed ||
        (element.moved_to && (!element.removed || element.moved_to->counter == 0)))
      return Status::Corruption(
          fmt::format("{}: list element {} is malformed (zero or repeated "
                      "id, value on a tombstone, or forwarding on a present "
                      "element)",
                      where(), element.id.ToString()));
    if (has_value) {
      Result<Value> v = DecodeValue(e->value_type(), e->value(), budget, where, true);
      if (!v.ok()) return v.status();
      element.value = std::move(v).value();
    }
    list.elements.push_back(std::move(element));
  }
  return Value::ListValue(std::move(list));
}

// Decodes a verified union value; unknown types are corruption (the Verifier
// accepts them). `where()` names the value in an error; called only then, so
// decoding formats nothing on success. So do the decoders below.
template <typename Where>
Result<Value> DecodeValue(fb::Value type, const void* table, DecodeBudget& budget,
                          const Where& where, bool in_list) {
  if (table == nullptr && type != fb::Value::NONE)
    return Status::Corruption(fmt::format("{}: value table missing", where()));
  switch (type) {
    case fb::Value::NullValue: return Value::Null();
    case fb::Value::BoolValue: return Value::Bool(static_cast<const fb::BoolValue*>(table)->v());
    case fb::Value::IntValue: return Value::Int(static_cast<const fb::IntValue*>(table)->v());
    case fb::Value::DoubleValue:
      return Value::Double(static_cast<const fb::DoubleValue*>(table)->v());
    case fb::Value::StringValue: {
      auto* v = static_cast<const fb::StringValue*>(table)->v();
      if (!budget.TakeString(v->size())) return SharedData(where);
      return Value::String(std::string(View(v)));
    }
    case fb::Value::BytesValue: {
      auto* v = static_cast<const fb::BytesValue*>(table)->v();
      if (!budget.TakeString(v->size())) return SharedData(where);
      return Value::BytesValue(std::string(reinterpret_cast<const char*>(v->data()), v->size()));
    }
    case fb::Value::ListValue:
      if (in_list)
        return Status::Corruption(fmt::format("{}: a list inside a list element", where()));
      return DecodeList(static_cast<const fb::ListValue*>(table), budget, where);
    default: break;
  }
  return Status::Corruption(fmt::format("{}: unknown value type {} (written by a newer version?)",
                                        where(), static_cast<int>(type)));
}

template <typename Where>
Result<FieldMap> DecodeFields(const flatbuffers::Vector<Offset<fb::Field>>* fields,
                              DecodeBudget& budget, const Where& where) {
  if (!budget.TakeEach(fields->size(), kFieldBytes)) return SharedData(where);
  FieldMap out;
  for (const fb::Field* f : *fields) {
    if (!budget.TakeString(f->name()->size())) return SharedData(where);
    std::string name(View(f->name()));
    Result<Value> v = DecodeValue(f->value_type(), f->value(), budget,
                                  [&] { return fmt::format("{} field {}", where(), name); });
    if (!v.ok()) return v.status();
    if (name.empty())
      return Status::Corruption(fmt::format("{}: empty field name", where()));
    if (!out.emplace(std::move(name), std::move(v).value()).second)
      return Status::Corruption(fmt::format("{}: duplicate field {}", where(), View(f->name())));
  }
  return out;
}

template <typename Where>
Result<Operation> DecodeOp(const fb::OpRecord* rec, DecodeBudget& budget, const Where& where) {
  switch (rec->op_type()) {
    case fb::Op::UpsertFields: {
      auto* u = rec->op_as_UpsertFields();
      if (!TakeStrings(budget, {u->collection(), u->key()})) return SharedData(where);
      Result<FieldMap> fields = DecodeFields(u->fields(), budget, where);
      if (!fields.ok()) return fields.status();
      return Operation::Upsert(std::string(View(u->collection())), std::string(View(u->key())),
                               std::move(fields).value());
    }
    case fb::Op::EraseField: {
      auto* e = rec->op_as_EraseField();
      if (!TakeStrings(budget, {e->collection(), e->key(), e->field()})) return SharedData(where);
      return Operation::EraseField(std::string(View(e->collection())),
                                   std::string(View(e->key())), std::string(View(e->field())));
    }
    case fb::Op::EraseObject: {
      auto* e = rec->op_as_EraseObject();
      if (!TakeStrings(budget, {e->collection(), e->key()})) return SharedData(where);
      return Operation::EraseObject(std::string(View(e->collection())),
                                    std::string(View(e->key())));
    }
    case fb::Op::Increment: {
      auto* i = rec->op_as_Increment();
      if (!TakeStrings(budget, {i->collection(), i->key(), i->field()})) return SharedData(where);
      return Operation::Increment(std::string(View(i->collection())), std::string(View(i->key())),
                                  std::string(View(i->field())), i->delta());
    }
    case fb::Op::ListInsert:
    case fb::Op::ListSet: {
      const bool insert = rec->op_type() == fb::Op::ListInsert;
      auto* ins = rec->op_as_ListInsert();
      auto* set = rec->op_as_ListSet();
      if (!(insert ? TakeStrings(budget, {ins->collection(), ins->key(), ins->field()})
                   : TakeStrings(budget, {set->collection(), set->key(), set->field()})))
        return SharedData(where);
      Result<Value> value =
          insert ? DecodeValue(ins->value_type(), ins->value(), budget, where, /*in_list=*/true)
                 : DecodeValue(set->value_type(), set->value(), budget, where, /*in_list=*/true);
      if (!value.ok()) return value.status();
      if (insert)
        return Operation::ListInsert(
            std::string(View(ins->collection())), std::string(View(ins->key())),
            std::string(View(ins->field())),
            ins->after() ? std::optional<ElementId>(Id(ins->after())) : std::nullopt, Id(ins->id()),
            std::move(value).value());
      return Operation::ListSet(std::string(View(set->collection())), std::string(View(set->key())),
                                std::string(View(set->field())), Id(set->id()),
                                std::move(value).value());
    }
    case fb::Op::ListRemove: {
      auto* r = rec->op_as_ListRemove();
      if (!TakeStrings(budget, {r->collection(), r->key(), r->field()})) return SharedData(where);
      return Operation::ListRemove(std::string(View(r->collection())), std::string(View(r->key())),
                                   std::string(View(r->field())), Id(r->id()));
    }
    case fb::Op::ListMove: {
      auto* m = rec->op_as_ListMove();
      if (!TakeStrings(budget, {m->collection(), m->key(), m->field()})) return SharedData(where);
      return Operation::ListMove(
          std::string(View(m->collection())), std::string(View(m->key())),
          std::string(View(m->field())), Id(m->id()),
          m->after() ? std::optional<ElementId>(Id(m->after())) : std::nullopt, Id(m->moved_to()));
    }
    default: break;
  }
  return Status::Corruption(fmt::format("{}: unknown op kind {} (written by a newer version?)",
                                        where(), static_cast<int>(rec->op_type())));
}

Result<JournalEntry> Decode(std::string_view unaligned, std::optional<Lsn> expected_lsn) {
  // Names the entry in an error; formatted only then, as in the decoders
  // above: every journal read decodes, and most never fail.
  std::optional<Lsn> named_lsn = expected_lsn;
  auto where = [&] {
    return named_lsn ? fmt::format("journal entry lsn {}", *named_lsn)
                     : std::string("journal entry");
  };
  if (unaligned.size() > kMaxEncodedBytes)
    return Status::Corruption(fmt::format("{}: {} bytes exceeds the {} byte limit", where(),
                                          unaligned.size(), kMaxEncodedBytes));
  AlignedBytes aligned(unaligned);
  std::string_view bytes = aligned.view();
  if (bytes.size() < 8)
    return Status::Corruption(fmt::format("{}: truncated ({} bytes)", where(), bytes.size()));
  auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (!fb::EntryBufferHasIdentifier(data))
    return Status::Corruption(fmt::format("{}: not a journal entry (bad identifier)", where()));
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!fb::VerifyEntryBuffer(verifier))
    return Status::Corruption(
        fmt::format("{}: fails verification (truncated or damaged)", where()));
  const fb::Entry* e = fb::GetEntry(data);
  if (e->format_version() != 1)
    return Status::Corruption(
        fmt::format("{}: unsupported format version {}", where(), e->format_version()));
  if (expected_lsn && e->lsn() != *expected_lsn)
    return Status::Corruption(
        fmt::format("{}: entry records lsn {} (misplaced entry)", where(), e->lsn()));
  named_lsn = e->lsn();
  JournalEntry out;
  out.lsn = e->lsn();
  out.download_cursor = e->download_cursor();
  out.epoch = e->epoch();
  out.client_id = e->client_id();
  out.commit_time_us = e->commit_time_us();
  DecodeBudget budget(bytes.size());
  if (!budget.TakeEach(e->ops()->size(), kOpBytes) ||
      !budget.TakeEach(e->before()->size(), kBeforeImageBytes))
    return SharedData(where);
  out.ops.reserve(e->ops()->size());
  for (flatbuffers::uoffset_t i = 0; i < e->ops()->size(); ++i) {
    Result<Operation> op =
        DecodeOp(e->ops()->Get(i), budget, [&] { return fmt::format("{}: op {}", where(), i); });
    if (!op.ok()) return op.status();
    if (Status s = op->Validate(); !s.ok())
      return Status::Corruption(fmt::format("{}: op {}: {}", where(), i, s.message()));
    out.ops.push_back(std::move(op).value());
  }
  for (const fb::BeforeImage* b : *e->before()) {
    if (!TakeStrings(budget, {b->collection(), b->key(), b->field()})) return SharedData(where);
    BeforeImage img;
    img.collection = View(b->collection());
    img.key = View(b->key());
    img.field = View(b->field());
    img.object_existed = b->object_existed();
    // Names in before-images obey the same rules as names in ops.
    if (Status s = Operation::EraseField(img.collection, img.key, img.field).Validate(); !s.ok())
      return Status::Corruption(fmt::format("{}: before-image: {}", where(), s.message()));
    if (b->field_present()) {
      Result<Value> v = DecodeValue(b->value_type(), b->value(), budget, [&] {
        return fmt::format("{}: before-image of {}", where(), img.field);
      });
      if (!v.ok()) return v.status();
      img.value = std::move(v).value();
    } else if (b->value_type() != fb::Value::NONE) {
      return Status::Corruption(
          fmt::format("{}: before-image of {} has a value but is absent", where(), img.field));
    }
    out.before.push_back(std::move(img));
  }
  return out;
}

}  // namespace

std::string EncodeEntry(const JournalEntry& entry, const JournalTally* tally) {
  ThreadBuilder builder;
  FlatBufferBuilder& b = builder.get();
  OffsetList<fb::OpRecord> ops(entry.ops.size());
  for (const Operation& op : entry.ops) ops.push_back(EncodeOp(b, op));
  auto ops_vec = ops.Create(b);
  OffsetList<fb::BeforeImage> before(entry.before.size());
  for (const BeforeImage& img : entry.before) {
    auto c = Str(b, img.collection);
    auto k = Str(b, img.key);
    auto f = Str(b, img.field);
    fb::Value type = fb::Value::NONE;
    Offset<void> off = 0;
    if (img.value) std::tie(type, off) = EncodeValue(b, *img.value);
    before.push_back(fb::CreateBeforeImage(b, c, k, f, img.object_existed, img.value.has_value(),
                                           type, off));
  }
  auto before_vec = before.Create(b);
  const fb::Tally stored_tally = tally ? fb::Tally(tally->entries, tally->ops) : fb::Tally();
  auto root = fb::CreateEntry(b, 1, entry.lsn, entry.download_cursor, entry.epoch,
                              entry.client_id, entry.commit_time_us, ops_vec, before_vec,
                              tally ? &stored_tally : nullptr);
  fb::FinishEntryBuffer(b, root);
  return Finish(b);
}

Result<JournalEntry> DecodeEntry(std::string_view bytes, Lsn expected_lsn) {
  return Decode(bytes, expected_lsn);
}

Result<JournalEntry> DecodeEntryAnyLsn(std::string_view bytes) { return Decode(bytes, std::nullopt); }

Result<std::optional<JournalTally>> DecodeEntryTally(std::string_view bytes, Lsn expected_lsn) {
  if (Result<JournalEntry> verified = Decode(bytes, expected_lsn); !verified.ok())
    return verified.status();
  // Verified above; read the field from an aligned copy as Decode did.
  AlignedBytes aligned(bytes);
  const fb::Tally* t = fb::GetEntry(aligned.view().data())->tally();
  if (t == nullptr) return std::optional<JournalTally>();
  return std::optional<JournalTally>(JournalTally{t->entries(), t->ops()});
}

std::string EncodeObject(const FieldMap& fields) {
  ThreadBuilder builder;
  FlatBufferBuilder& b = builder.get();
  auto f = EncodeFields(b, fields);
  b.Finish(fb::CreateObject(b, f), "JDBO");
  return Finish(b);
}

Result<FieldMap> DecodeObject(std::string_view unaligned, std::string_view where) {
  if (unaligned.size() > kMaxEncodedBytes)
    return Status::Corruption(fmt::format("object {}: {} bytes exceeds the limit", where,
                                          unaligned.size()));
  AlignedBytes aligned(unaligned);
  std::string_view bytes = aligned.view();
  if (bytes.size() < 8)
    return Status::Corruption(fmt::format("object {}: truncated ({} bytes)", where, bytes.size()));
  auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  if (!flatbuffers::BufferHasIdentifier(data, "JDBO"))
    return Status::Corruption(fmt::format("object {}: not a stored object (bad identifier)", where));
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!verifier.VerifyBuffer<fb::Object>("JDBO"))
    return Status::Corruption(fmt::format("object {}: fails verification", where));
  DecodeBudget budget(bytes.size());
  return DecodeFields(flatbuffers::GetRoot<fb::Object>(data)->fields(), budget,
                      [&] { return fmt::format("object {}", where); });
}

Result<std::optional<FieldMap>> DecodeStoredObject(std::string_view bytes,
                                                   std::string_view collection,
                                                   std::string_view key) {
  Result<FieldMap> fields = DecodeObject(bytes, {});
  // Decoded again to name the object: only a damaged object pays for it.
  if (!fields.ok())
    return DecodeObject(bytes, fmt::format("{}/{}", collection, text::Quoted(key))).status();
  return std::optional<FieldMap>(std::move(fields).value());
}

}  // namespace journaldb::codec
