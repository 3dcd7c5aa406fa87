#include "json_line.h"

#include <cstdio>

namespace journaldb::bench {

JsonLine& JsonLine::Add(std::string_view name, std::string_view value) {
  writer_.Key(name).String(value);
  return *this;
}

JsonLine& JsonLine::Add(std::string_view name, uint64_t value) {
  writer_.Key(name).Uint(value);
  return *this;
}

JsonLine& JsonLine::Add(std::string_view name, bool value) {
  writer_.Key(name).Bool(value);
  return *this;
}

JsonLine& JsonLine::Add(std::string_view name, double value, int decimals) {
  writer_.Key(name).Fixed(value, decimals);
  return *this;
}

void JsonLine::Print() const {
  std::string line = str() + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace journaldb::bench
