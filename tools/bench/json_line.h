// JsonLine: builds one JSON object and prints it as one line on stdout, the
// output format of every workload (a line per measurement, easy to grep or
// feed to jq). The text comes from the journal's JsonWriter, the same writer
// as the CLI's --json output.
//
//   JsonLine().Add("workload", "write").Add("ops", 200000).Print();
#ifndef JOURNALDB_TOOLS_BENCH_JSON_LINE_H_
#define JOURNALDB_TOOLS_BENCH_JSON_LINE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "journaldb/journal/json_writer.h"

namespace journaldb::bench {

class JsonLine {
 public:
  JsonLine() { writer_.BeginObject(); }
  JsonLine& Add(std::string_view name, std::string_view value);
  JsonLine& Add(std::string_view name, const char* value) {
    return Add(name, std::string_view(value));
  }
  JsonLine& Add(std::string_view name, uint64_t value);
  JsonLine& Add(std::string_view name, int value) {
    return Add(name, static_cast<uint64_t>(value));
  }
  JsonLine& Add(std::string_view name, bool value);
  // Printed with `decimals` digits after the point.
  JsonLine& Add(std::string_view name, double value, int decimals = 3);

  // The object so far, closed.
  std::string str() const { return writer_.str() + "}"; }
  // Writes the line and flushes, so a reader sees each measurement at once.
  void Print() const;

 private:
  JsonWriter writer_;
};

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_JSON_LINE_H_
