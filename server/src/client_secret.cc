#include "journaldb/server/client_secret.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "journaldb/protocol/wire_codec.h"

namespace journaldb::server {

SecretHash HashClientSecret(std::string_view secret) {
  SecretHash out;
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), out.data());
  return out;
}

Result<std::string> NewClientSecret() {
  std::string secret(wire::kClientSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()),
                 static_cast<int>(secret.size())) != 1) {
    char reason[256];
    ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
    return Status::IOError(
        fmt::format("generate a client secret: OpenSSL RAND_bytes failed ({})", reason));
  }
  return secret;
}

}  // namespace journaldb::server
