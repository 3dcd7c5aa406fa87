// The address a server listens on (`--listen HOST:PORT`), checked as a pure
// function before the server opens anything, so a malformed one is refused
// with what is wrong with it, never taken for an address beyond loopback.
//
//   Result<ListenAddress> a = ParseListenAddress("127.0.0.1:7000");
//   if (!a.ok()) return a.status();  // "malformed --listen ...: why"
//
// Thread safety: reads only its argument; call it from any thread.
#ifndef JOURNALDB_SERVER_LISTEN_ADDRESS_H_
#define JOURNALDB_SERVER_LISTEN_ADDRESS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::server {

struct ListenAddress {
  std::string host;   // an IPv4 address in dotted-decimal form
  uint16_t port = 0;  // 0: any free port

  // Whether host is in 127.0.0.0/8.
  bool IsLoopback() const;
};

// HOST:PORT, HOST an IPv4 address (no name is resolved) and PORT a decimal
// number from 0 to 65535. Invalid-argument naming --listen, the text and
// what is wrong: no colon, no host, no port, a host that is not an IPv4
// address, a port that is not such a number.
Result<ListenAddress> ParseListenAddress(std::string_view listen);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_LISTEN_ADDRESS_H_
