#include "journaldb/journal/layout.h"

namespace journaldb::layout {

std::string StateKey(std::string_view collection, std::string_view key) {
  std::string k;
  k.reserve(collection.size() + 1 + key.size());
  k.append(collection);
  k.push_back('\0');
  k.append(key);
  return k;
}

std::string CollectionPrefix(std::string_view collection) {
  std::string k(collection);
  k.push_back('\0');
  return k;
}

std::string CollectionEnd(std::string_view collection) {
  std::string k(collection);
  k.push_back('\1');
  return k;
}

std::optional<std::pair<std::string_view, std::string_view>> ParseStateKey(std::string_view k) {
  size_t nul = k.find('\0');
  if (nul == std::string_view::npos || nul == 0 || nul + 1 == k.size()) return std::nullopt;
  return std::pair{k.substr(0, nul), k.substr(nul + 1)};
}

std::string EncodeU64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[i] = static_cast<char>(v & 0xFF);
  return s;
}

std::optional<uint64_t> DecodeU64(std::string_view v) {
  if (v.size() != 8) return std::nullopt;
  uint64_t out = 0;
  for (char c : v) out = (out << 8) | static_cast<unsigned char>(c);
  return out;
}

std::string LsnKey(Lsn lsn) { return EncodeU64(lsn); }
std::optional<Lsn> ParseLsnKey(std::string_view k) { return DecodeU64(k); }

std::string AckVersionKey(Lsn lsn) { return kMetaAckVersionPrefix + LsnKey(lsn); }

}  // namespace journaldb::layout
