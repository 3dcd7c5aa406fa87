#include "output.h"

#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "journaldb/journal/text.h"

namespace journaldb::cli {

void WriteOperationJson(JsonWriter& w, const Operation& op) {
  w.BeginObject();
  w.Key("kind").String(OpKindName(op.kind));
  w.Key("collection").String(op.collection);
  w.Key("key").String(op.key);
  switch (op.kind) {
    case OpKind::kUpsert:
      w.Key("fields").Fields(op.fields);
      break;
    case OpKind::kEraseField:
      w.Key("field").String(op.field);
      break;
    case OpKind::kEraseObject:
      break;
    case OpKind::kIncrement:
      w.Key("field").String(op.field);
      w.Key("delta").Int(op.delta);
      break;
    case OpKind::kListInsert:
    case OpKind::kListRemove:
    case OpKind::kListSet:
    case OpKind::kListMove:
      w.Key("field").String(op.field);
      w.Key("element").String(op.element.ToString());
      if (op.kind == OpKind::kListInsert || op.kind == OpKind::kListMove) {
        // null: at the head
        w.Key("after");
        if (op.after) {
          w.String(op.after->ToString());
        } else {
          w.Null();
        }
      }
      if (op.kind == OpKind::kListInsert || op.kind == OpKind::kListSet)
        w.Key("value").FieldValue(op.value);
      if (op.kind == OpKind::kListMove) w.Key("moved_to").String(op.moved_to.ToString());
      break;
  }
  w.EndObject();
}

void WriteStoppedErrorMember(JsonWriter& w, std::string_view message) {
  w.Key("error")
      .BeginObject()
      .Key("code")
      .String("failed_precondition")
      .Key("message")
      .String(message)
      .EndObject();
}

void WriteEntryJson(JsonWriter& w, const JournalEntry& entry) {
  w.BeginObject();
  w.Key("lsn").Uint(entry.lsn);
  w.Key("commit_time_us").Int(entry.commit_time_us);
  w.Key("commit_time").String(FormatTimeUs(entry.commit_time_us));
  w.Key("download_cursor").Uint(entry.download_cursor);
  w.Key("epoch").Uint(entry.epoch);
  w.Key("client_id").Uint(entry.client_id);
  w.Key("ops").BeginArray();
  for (const Operation& op : entry.ops) WriteOperationJson(w, op);
  w.EndArray();
  w.Key("before").BeginArray();
  for (const BeforeImage& b : entry.before) {
    w.BeginObject();
    w.Key("collection").String(b.collection);
    w.Key("key").String(b.key);
    w.Key("field").String(b.field);
    w.Key("object_existed").Bool(b.object_existed);
    // An absent field has no "value" member; "value": null is a null value.
    w.Key("field_existed").Bool(b.value.has_value());
    if (b.value) w.Key("value").FieldValue(*b.value);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

std::string DisplayName(std::string_view s) {
  bool plain = !s.empty();
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7F || c == '"' || c == '\\' || c == '=' || c == '/') plain = false;
  }
  // Non-ASCII bytes are fine when they form valid UTF-8, which JsonQuote
  // leaves unescaped.
  if (plain && text::JsonQuote(s).size() != s.size() + 2) plain = false;
  return plain ? std::string(s) : text::JsonQuote(s);
}

std::string DisplayTarget(std::string_view collection, std::string_view key) {
  return DisplayName(collection) + "/" + DisplayName(key);
}

std::string DisplayValue(const Value& v) {
  if (v.type() == ValueType::kList) {
    std::string s = "[";
    for (const ListElement& e : v.as_list().elements) {
      if (e.removed) continue;
      if (s.size() > 1) s += ", ";
      s += DisplayValue(e.value);
    }
    return s + "]";
  }
  if (v.type() == ValueType::kDouble && !std::isfinite(v.as_double())) {
    double d = v.as_double();
    return std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf";
  }
  return v.ToString();
}

std::string DisplayValueWithIds(const Value& v) {
  if (v.type() != ValueType::kList) return DisplayValue(v);
  std::string s = "[";
  for (const ListElement& e : v.as_list().elements) {
    if (e.removed) continue;
    if (s.size() > 1) s += ", ";
    s += e.id.ToString() + "=" + DisplayValue(e.value);
  }
  return s + "]";
}

std::string DisplayFields(const FieldMap& fields) {
  std::string s;
  for (const auto& [name, value] : fields) {
    if (!s.empty()) s += ' ';
    s += DisplayName(name) + "=" + DisplayValue(value);
  }
  return s;
}

namespace {

// Where a list insert or move puts its element.
std::string DisplayPlace(const std::optional<ElementId>& after) {
  return after ? "after " + after->ToString() : "at the head";
}

}  // namespace

std::string DisplayOperation(const Operation& op) {
  std::string s = fmt::format("{} {}", OpKindName(op.kind), DisplayTarget(op.collection, op.key));
  switch (op.kind) {
    case OpKind::kUpsert:
      if (!op.fields.empty()) s += " " + DisplayFields(op.fields);
      break;
    case OpKind::kEraseField:
      s += " " + DisplayName(op.field);
      break;
    case OpKind::kEraseObject:
      break;
    case OpKind::kIncrement:
      s += fmt::format(" {} {:+}", DisplayName(op.field), op.delta);
      break;
    case OpKind::kListInsert:
      s += fmt::format(" {} {}={} {}", DisplayName(op.field), op.element.ToString(),
                       DisplayValue(op.value), DisplayPlace(op.after));
      break;
    case OpKind::kListRemove:
      s += fmt::format(" {} {}", DisplayName(op.field), op.element.ToString());
      break;
    case OpKind::kListSet:
      s += fmt::format(" {} {}={}", DisplayName(op.field), op.element.ToString(),
                       DisplayValue(op.value));
      break;
    case OpKind::kListMove:
      s += fmt::format(" {} {} {} as {}", DisplayName(op.field), op.element.ToString(),
                       DisplayPlace(op.after), op.moved_to.ToString());
      break;
  }
  return s;
}

std::string FormatTimeUs(int64_t micros) {
  int64_t seconds = micros / 1'000'000;
  int64_t fraction = micros % 1'000'000;
  if (fraction < 0) {
    fraction += 1'000'000;
    --seconds;
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return fmt::format("{}us", micros);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction);
}

}  // namespace journaldb::cli
