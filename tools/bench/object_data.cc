// The objects the write workloads create (declared in bench.h).
#include "bench.h"

namespace journaldb::bench {

std::string ObjectKey(uint64_t i) {
  // Multiplying by an odd constant is a bijection modulo 2^64: distinct i give
  // distinct keys, spread over the key space. Hand-formatted (16 bytes fit the
  // small-string buffer): key making is the app's cost, kept out of the way.
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t v = i * 0x9E3779B97F4A7C15ull;
  std::string key(kKeyBytes, '0');
  for (size_t d = kKeyBytes; d-- > 0; v >>= 4) key[d] = kHex[v & 0xF];
  return key;
}

const std::string& Payload() {
  static const std::string payload = [] {
    std::string p(kPayloadBytes, ' ');
    for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<char>('a' + i % 26);
    return p;
  }();
  return payload;
}

}  // namespace journaldb::bench
