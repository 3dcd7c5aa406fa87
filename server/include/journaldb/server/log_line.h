// LogLine: what the server writes to its log for one event. Peers choose
// some of the text (an error message they send, names in a refused
// upload): control bytes are escaped so that no peer can forge a line or
// drive a terminal, and a line is cut at kMaxLogLineBytes.
#ifndef JOURNALDB_SERVER_LOG_LINE_H_
#define JOURNALDB_SERVER_LOG_LINE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace journaldb::server {

constexpr size_t kMaxLogLineBytes = 2048;

// `line` with each byte below 0x20, 0x7f and '\' written as \xNN (a
// backslash as \\), cut after kMaxLogLineBytes of its bytes with
// "... (N bytes)" appended.
std::string LogLine(std::string_view line);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_LOG_LINE_H_
