// JsonWriter: the one builder of JSON text for every journaldb tool (the
// `journal` CLI's --json documents, the benchmark's result lines). Commas
// and key/value order are tracked, so callers only say what comes next.
//
//   JsonWriter w;
//   w.BeginObject().Key("lsn").Uint(7).Key("key").String(key).EndObject();
//   std::cout << w.str();
//
// Stored bytes are written losslessly (docs/cli.md, "JSON output"): a string
// that is valid UTF-8 is a JSON string; one that is not is the tagged object
// {"base64":"<its bytes>"}, as a bytes value is {"bytes":"<its bytes>"}. So
// the raw bytes FF FE and the text "ÿþ" (C3 BF C3 BE) read back differently,
// and every reader gets valid UTF-8. A field map whose names are all valid
// UTF-8 is an object keyed by name; otherwise, as a member name must be a
// string, it is an array of {"name": <string form>, "value": <value>}.
//
// Internal: not installed. Thread safety: not thread-safe; one writer per
// document. REQUIRES: calls nest properly (a Key before each value inside an
// object, every Begin closed by its End).
#ifndef JOURNALDB_JOURNAL_JSON_WRITER_H_
#define JOURNALDB_JOURNAL_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "journaldb/object.h"
#include "journaldb/value.h"

namespace journaldb {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // A member name. REQUIRES: valid UTF-8 (names chosen by the program, not
  // stored bytes; field names go through Fields()).
  JsonWriter& Key(std::string_view name);
  // Stored or user-given bytes, by the lossless rule above.
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t i);
  JsonWriter& Uint(uint64_t u);
  JsonWriter& Bool(bool b);
  JsonWriter& Null();
  // A measurement with exactly `decimals` digits after the point (benchmark
  // rates and times). REQUIRES: `d` is finite.
  JsonWriter& Fixed(double d, int decimals);
  // A field value: text::ValueToJson.
  JsonWriter& FieldValue(const Value& v);
  // {"name": value, ...} in field-name order, or the array form above.
  JsonWriter& Fields(const FieldMap& fields);

  const std::string& str() const { return out_; }

 private:
  void BeforeValue();
  std::string out_;
  // Per open container: whether it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_JSON_WRITER_H_
