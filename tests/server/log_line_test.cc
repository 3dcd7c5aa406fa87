// What a peer's text can do to the server's log: nothing but appear in it.
#include "journaldb/server/log_line.h"

#include <gtest/gtest.h>

namespace journaldb::server {
namespace {

TEST(LogLine, ControlBytesAndBackslashesAreEscapedSoNoPeerForgesALine) {
  EXPECT_EQ(LogLine("peer error conn=1: bye"), "peer error conn=1: bye");
  EXPECT_EQ(LogLine("x\nclose conn=2 client=1 (forged)"), "x\\x0aclose conn=2 client=1 (forged)");
  EXPECT_EQ(LogLine(std::string("a\0b\x1b[2Jc\x7f\r", 10)), "a\\x00b\\x1b[2Jc\\x7f\\x0d");
  // Without escaping the backslash, "\x0a" typed by a peer would read as an escaped line break.
  EXPECT_EQ(LogLine("\\x0a"), "\\\\x0a");
  EXPECT_EQ(LogLine("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 text stays readable
}

TEST(LogLine, ALongLineIsCutAndSaysHowLongItWas) {
  std::string line(kMaxLogLineBytes + 10, 'y');
  std::string logged = LogLine(line);
  EXPECT_EQ(logged, std::string(kMaxLogLineBytes, 'y') + "... (2058 bytes)");
  EXPECT_EQ(LogLine(std::string(kMaxLogLineBytes, 'z')), std::string(kMaxLogLineBytes, 'z'));
}

}  // namespace
}  // namespace journaldb::server
