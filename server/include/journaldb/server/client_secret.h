// Client secrets: the server issues one with each client id it hands out and
// keeps only its SHA-256 (docs/server.md, "Identity"); every later hello of
// that client carries the secret (docs/protocol.md, "Hello").
//
//   Result<std::string> secret = NewClientSecret();       // sent once, in HelloOk
//   SecretHash stored = HashClientSecret(*secret);        // kept in the registry
//   // DecideAdmission compares HashClientSecret(hello.client_secret) with it.
//
// Thread safety: both functions may be called from any thread.
#ifndef JOURNALDB_SERVER_CLIENT_SECRET_H_
#define JOURNALDB_SERVER_CLIENT_SECRET_H_

#include <string>
#include <string_view>

#include "journaldb/server/sha256.h"
#include "journaldb/status.h"

namespace journaldb::server {

// SHA-256 of a client secret: what the server keeps instead of the secret.
// DigestBytes and DigestFromBytes (sha256.h) convert it to and from the
// bytes the stores keep.
using SecretHash = Sha256Digest;

// SHA-256 of `secret`. A plain hash suffices: the secret is 256 random bits,
// so there is no dictionary to salt against or slow down.
SecretHash HashClientSecret(std::string_view secret);

// A new secret of wire::kClientSecretBytes from OpenSSL's CSPRNG; IOError if
// the generator fails (it is never replaced by a weaker source).
Result<std::string> NewClientSecret();

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_CLIENT_SECRET_H_
