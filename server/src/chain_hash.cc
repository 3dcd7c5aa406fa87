#include "journaldb/server/chain_hash.h"

#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "journaldb/journal/layout.h"

namespace journaldb::server {

Result<ChainHash> NextChainHash(const ChainHash& previous, const wire::Changeset& c) {
  std::string header = layout::EncodeU64(c.server_version) + layout::EncodeU64(c.origin_client) +
                       layout::EncodeU64(c.origin_lsn) + layout::EncodeU64(c.bytes.size());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  ChainHash out{};
  unsigned int size = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), previous.data(), previous.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), header.data(), header.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), c.bytes.data(), c.bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &size) != 1 || size != out.size())
    return Status::IOError("chain hash: OpenSSL SHA-256 failed");
  return out;
}

std::string ChainHashBytes(const ChainHash& hash) {
  return std::string(reinterpret_cast<const char*>(hash.data()), hash.size());
}

std::optional<ChainHash> ChainHashFromBytes(std::string_view bytes) {
  if (bytes.size() != wire::kChainHashBytes) return std::nullopt;
  ChainHash h;
  std::memcpy(h.data(), bytes.data(), h.size());
  return h;
}

}  // namespace journaldb::server
