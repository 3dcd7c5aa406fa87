// Self-signed TLS certificates for tests, made with OpenSSL at run time (no
// key material in the repository): each is its own CA, so a client that
// trusts the file trusts the server that shows it.
#ifndef JOURNALDB_TESTS_SUPPORT_TEST_CERTIFICATE_H_
#define JOURNALDB_TESTS_SUPPORT_TEST_CERTIFICATE_H_

#include <string>
#include <vector>

namespace journaldb::testing {

struct TestCertificate {
  std::string cert_path;  // PEM certificate
  std::string key_path;   // PEM private key
};

// Writes `dir`/`name`.pem and `dir`/`name`.key: a P-256 key and a
// certificate valid from now for a day, naming `names` in its subject
// alternative names ("IP:127.0.0.1", "DNS:localhost"). Aborts the test
// binary on failure: no test can go on without it.
TestCertificate MakeSelfSignedCertificate(const std::string& dir, const std::string& name,
                                          const std::vector<std::string>& names);

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_TEST_CERTIFICATE_H_
