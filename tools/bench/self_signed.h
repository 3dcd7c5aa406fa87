// A self-signed TLS certificate for the bench's server, made at run time
// with the openssl command (no key material in the repository). It is its
// own CA: a client that trusts the file trusts the server showing it.
#ifndef JOURNALDB_TOOLS_BENCH_SELF_SIGNED_H_
#define JOURNALDB_TOOLS_BENCH_SELF_SIGNED_H_

#include <string>

#include "journaldb/status.h"

namespace journaldb::bench {

struct CertificateFiles {
  std::string cert_path;  // PEM certificate
  std::string key_path;   // PEM private key
};

// Writes `dir`/server.pem and `dir`/server.key: a P-256 key and a
// certificate for 127.0.0.1 and localhost, valid for a day.
Result<CertificateFiles> MakeSelfSignedCertificate(const std::string& dir);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_SELF_SIGNED_H_
