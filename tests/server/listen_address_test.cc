// The server's --listen address, case by case, without a socket: what is
// accepted, what is loopback, and that each malformed form says why.
#include "journaldb/server/listen_address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace journaldb::server {
namespace {

TEST(ListenAddress, AcceptsAnIPv4AddressAndAPortFrom0To65535) {
  Result<ListenAddress> a = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 0);
  a = ParseListenAddress("0.0.0.0:65535");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->host, "0.0.0.0");
  EXPECT_EQ(a->port, 65535);
}

TEST(ListenAddress, LoopbackIsAll127Slash8) {
  for (const char* loopback : {"127.0.0.1:7000", "127.255.0.9:1"}) {
    Result<ListenAddress> a = ParseListenAddress(loopback);
    ASSERT_TRUE(a.ok()) << loopback;
    EXPECT_TRUE(a->IsLoopback()) << loopback;
  }
  for (const char* beyond : {"0.0.0.0:7000", "10.0.0.1:7000", "128.0.0.1:7000"}) {
    Result<ListenAddress> a = ParseListenAddress(beyond);
    ASSERT_TRUE(a.ok()) << beyond;
    EXPECT_FALSE(a->IsLoopback()) << beyond;
  }
}

TEST(ListenAddress, EachMalformedFormIsInvalidArgumentSayingWhy) {
  struct Case {
    std::string listen;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {"", "not HOST:PORT"},
           {"127.0.0.1", "not HOST:PORT"},
           {":7000", "the host is missing"},
           {"127.0.0.1:", "the port is missing"},
           {"localhost:7000", "the host localhost is not an IPv4 address"},
           {"127.1:7000", "the host 127.1 is not an IPv4 address"},
           {"[::1]:7000", "the host [::1] is not an IPv4 address"},
           {"127.0.0.1:65536", "the port 65536 is not a decimal number from 0 to 65535"},
           {"127.0.0.1:18446744073709551617", "the port 18446744073709551617 is not"},
           {"127.0.0.1:-1", "the port -1 is not"},
           {"127.0.0.1:+1", "the port +1 is not"},
           {"127.0.0.1: 1", "the port  1 is not"},
           {"127.0.0.1:7000x", "the port 7000x is not"},
       }) {
    Result<ListenAddress> a = ParseListenAddress(c.listen);
    ASSERT_FALSE(a.ok()) << c.listen;
    EXPECT_TRUE(a.status().IsInvalidArgument()) << a.status().ToString();
    const std::string expected = "malformed --listen \"" + c.listen + "\": " + c.why;
    EXPECT_EQ(a.status().message().rfind(expected, 0), 0u)
        << "expected " << expected << " in: " << a.status().message();
  }
}

}  // namespace
}  // namespace journaldb::server
