#include "support/test_certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace journaldb::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "test certificate: %s failed\n", what);
  std::abort();
}

void AddExtension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) Die("X509_add_ext");
  X509_EXTENSION_free(ext);
}

void WritePem(const std::string& path, auto write) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr || write(f) != 1 || std::fclose(f) != 0) Die(path.c_str());
}

}  // namespace

TestCertificate MakeSelfSignedCertificate(const std::string& dir, const std::string& name,
                                          const std::vector<std::string>& names) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free);
  if (!key) Die("EVP_PKEY_Q_keygen");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1) Die("X509_new");
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);
  std::string alt;
  for (const std::string& n : names) alt += (alt.empty() ? "" : ",") + n;
  AddExtension(cert.get(), NID_subject_alt_name, alt);
  AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) Die("X509_sign");
  TestCertificate out{dir + "/" + name + ".pem", dir + "/" + name + ".key"};
  WritePem(out.cert_path, [&](FILE* f) { return PEM_write_X509(f, cert.get()); });
  WritePem(out.key_path, [&](FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  return out;
}

}  // namespace journaldb::testing
