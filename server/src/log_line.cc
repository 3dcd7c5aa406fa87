#include "journaldb/server/log_line.h"

#include <fmt/format.h>

namespace journaldb::server {

std::string LogLine(std::string_view line) {
  std::string out;
  std::string_view kept = line.substr(0, kMaxLogLineBytes);
  out.reserve(kept.size() + 16);
  for (char ch : kept) {
    auto byte = static_cast<unsigned char>(ch);
    if (byte == '\\')
      out += "\\\\";
    else if (byte < 0x20 || byte == 0x7f)
      out += fmt::format("\\x{:02x}", byte);
    else
      out += ch;
  }
  if (kept.size() < line.size()) out += fmt::format("... ({} bytes)", line.size());
  return out;
}

}  // namespace journaldb::server
