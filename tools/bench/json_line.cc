#include "json_line.h"

#include <fmt/format.h>

#include <cstdio>

namespace journaldb::bench {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

void JsonLine::Name(std::string_view name) {
  if (body_.size() > 1) body_ += ",";
  body_ += JsonString(name);
  body_ += ":";
}

JsonLine& JsonLine::Add(std::string_view name, std::string_view value) {
  Name(name);
  body_ += JsonString(value);
  return *this;
}

JsonLine& JsonLine::Add(std::string_view name, uint64_t value) {
  Name(name);
  body_ += std::to_string(value);
  return *this;
}

JsonLine& JsonLine::Add(std::string_view name, bool value) {
  Name(name);
  body_ += value ? "true" : "false";
  return *this;
}

JsonLine& JsonLine::Add(std::string_view name, double value, int decimals) {
  Name(name);
  body_ += fmt::format("{:.{}f}", value, decimals);
  return *this;
}

void JsonLine::Print() const {
  std::string line = str() + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

}  // namespace journaldb::bench
