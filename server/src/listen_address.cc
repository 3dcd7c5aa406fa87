#include "journaldb/server/listen_address.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <limits>

#include "journaldb/journal/util/parse_number.h"

namespace journaldb::server {

namespace {
Status Malformed(std::string_view listen, std::string_view why) {
  return Status::InvalidArgument(fmt::format("malformed --listen \"{}\": {}", listen, why));
}
}  // namespace

bool ListenAddress::IsLoopback() const {
  in_addr ip{};
  return ::inet_pton(AF_INET, host.c_str(), &ip) == 1 && (ntohl(ip.s_addr) >> 24) == 127;
}

Result<ListenAddress> ParseListenAddress(std::string_view listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos)
    return Malformed(listen, "not HOST:PORT (an IPv4 address and a port, e.g. 127.0.0.1:7000)");
  const std::string host(listen.substr(0, colon));
  const std::string_view port = listen.substr(colon + 1);
  if (host.empty())
    return Malformed(listen, "the host is missing (an IPv4 address, e.g. 127.0.0.1:7000)");
  if (port.empty())
    return Malformed(listen, "the port is missing (a number from 0 to 65535, e.g. 127.0.0.1:7000)");
  in_addr ip{};
  if (::inet_pton(AF_INET, host.c_str(), &ip) != 1)
    return Malformed(listen, fmt::format("the host {} is not an IPv4 address such as 127.0.0.1 "
                                         "(names are not resolved)",
                                         host));
  Result<uint64_t> number = util::ParseUint64(port);
  if (!number.ok() || *number > std::numeric_limits<uint16_t>::max())
    return Malformed(listen,
                     fmt::format("the port {} is not a decimal number from 0 to 65535", port));
  return ListenAddress{host, static_cast<uint16_t>(*number)};
}

}  // namespace journaldb::server
