#include "journaldb/server/sha256.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

namespace journaldb::server {

Result<Sha256Digest> Sha256Of(std::initializer_list<std::string_view> parts,
                              std::string_view what) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  for (std::string_view part : parts)
    ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
  Sha256Digest out{};
  unsigned int size = 0;
  if (!ok || EVP_DigestFinal_ex(ctx.get(), out.data(), &size) != 1 || size != out.size())
    return Status::IOError(fmt::format("{}: OpenSSL SHA-256 failed", what));
  return out;
}

std::string DigestBytes(const Sha256Digest& digest) {
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::optional<Sha256Digest> DigestFromBytes(std::string_view bytes) {
  if (bytes.size() != Sha256Digest().size()) return std::nullopt;
  Sha256Digest d;
  std::memcpy(d.data(), bytes.data(), d.size());
  return d;
}

}  // namespace journaldb::server
