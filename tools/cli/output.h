// Output of `journal` commands: human text streamed to stdout, or (--json)
// one JSON document built in memory and printed when the command succeeds,
// so a failing command never leaves half a document on stdout.
//
//   if (out.json()) out.doc().BeginObject().Key("lsn").Uint(lsn).EndObject();
//   else out.text() << "committed lsn " << lsn << "\n";
//
// Thread safety: not thread-safe; one Output per command run.
#ifndef JOURNALDB_TOOLS_CLI_OUTPUT_H_
#define JOURNALDB_TOOLS_CLI_OUTPUT_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "journaldb/journal/json_writer.h"
#include "journaldb/journal_entry.h"
#include "journaldb/object.h"
#include "journaldb/operation.h"
#include "journaldb/value.h"

namespace journaldb::cli {

// Structured forms shared by several commands (docs/cli.md lists them).
void WriteOperationJson(JsonWriter& w, const Operation& op);
void WriteEntryJson(JsonWriter& w, const JournalEntry& entry);
// `"error":{"code":"failed_precondition","message":...}`: the member a
// command's own document starts with when the command stopped short after
// doing something (Outcome::error_document: replay's stop, sync's discard).
void WriteStoppedErrorMember(JsonWriter& w, std::string_view message);

class Output {
 public:
  Output(bool json, std::ostream& text) : json_(json), text_(text) {}
  bool json() const { return json_; }
  // Human output. REQUIRES: !json().
  std::ostream& text() { return text_; }
  // The JSON document. REQUIRES: json().
  JsonWriter& doc() { return doc_; }
  // Standard output for a command that writes its JSON document itself, as
  // it goes, so memory stays bounded (export); it leaves doc() empty, and
  // the dispatcher then prints no document of its own.
  std::ostream& stream() { return text_; }

 private:
  bool json_;
  std::ostream& text_;
  JsonWriter doc_;
};

// Human display helpers.

// A name or key as typed when it is plain printable text without spaces,
// quotes, '=' or '/'; JSON-quoted otherwise, so output stays unambiguous and
// cannot carry terminal control bytes.
std::string DisplayName(std::string_view s);

// `collection/key`, both through DisplayName.
std::string DisplayTarget(std::string_view collection, std::string_view key);

// A value as Value::ToString shows it (null, true, 42, 1.5, "text",
// b64:..., ["a", 2] for a list's present elements), except non-finite
// doubles, which read nan, inf and -inf.
std::string DisplayValue(const Value& v);

// DisplayValue, but a list shows each present element's id, which list ops
// name: [3.00c0ffee00c0ffee="a", 4.00c0ffee00c0ffee=2].
std::string DisplayValueWithIds(const Value& v);

// `name=value name=value` in field-name order, values through DisplayValue.
std::string DisplayFields(const FieldMap& fields);

// One operation on one line: `upsert tasks/t1 title="milk"`,
// `erase-field tasks/t1 done`, `erase-object tasks/t1`,
// `increment tasks/t1 views +1`; list ops name element ids:
// `list-insert lists/l1 items 3.00c0ffee00c0ffee="a" at the head` (or
// `after ID`), `list-remove lists/l1 items ID`, `list-set lists/l1 items
// ID="b"`, `list-move lists/l1 items ID after ID as NEW-ID`.
std::string DisplayOperation(const Operation& op);

// Microseconds since the Unix epoch as UTC ISO 8601: 2026-11-26T12:34:03.123456Z.
std::string FormatTimeUs(int64_t micros);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_OUTPUT_H_
