#include "reloadable_tls_context.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>
#include <utility>

#include "journaldb/protocol/tls.h"

namespace journaldb::server {

namespace {

// "subject CN=..., expires 2027-01-01T00:00:00Z" for the log line of a reload.
std::string DescribeCertificate(SSL_CTX* ctx) {
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (cert == nullptr) return "no certificate";
  std::string subject = "?";
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
      char* text = nullptr;
      long n = BIO_get_mem_data(bio, &text);
      if (n > 0) subject.assign(text, static_cast<size_t>(n));
    }
    BIO_free(bio);
  }
  std::tm expiry{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &expiry) != 1)
    return fmt::format("subject {}", subject);
  return fmt::format("subject {}, expires {:%Y-%m-%dT%H:%M:%SZ}", subject, expiry);
}

// A new asio context holding a reference of its own to the loaded SSL_CTX.
Result<std::shared_ptr<boost::asio::ssl::context>> LoadContext(const std::string& cert_chain_file,
                                                               const std::string& key_file) {
  Result<std::shared_ptr<const sync::TlsContext>> loaded =
      sync::TlsContext::ForServer(cert_chain_file, key_file);
  if (!loaded.ok()) return loaded.status();
  SSL_CTX* native = (*loaded)->native();
  // asio's context frees the handle it adopts.
  SSL_CTX_up_ref(native);
  return std::make_shared<boost::asio::ssl::context>(native);
}

}  // namespace

Result<std::unique_ptr<ReloadableTlsContext>> ReloadableTlsContext::Load(
    std::string cert_chain_file, std::string key_file) {
  Result<std::shared_ptr<boost::asio::ssl::context>> context =
      LoadContext(cert_chain_file, key_file);
  if (!context.ok()) return context.status();
  std::unique_ptr<ReloadableTlsContext> tls(
      new ReloadableTlsContext(std::move(cert_chain_file), std::move(key_file)));
  tls->current_ = std::move(context).value();
  return tls;
}

std::shared_ptr<boost::asio::ssl::context> ReloadableTlsContext::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

Result<std::string> ReloadableTlsContext::Reload() {
  std::lock_guard<std::mutex> reloading(reload_mu_);
  Result<std::shared_ptr<boost::asio::ssl::context>> context =
      LoadContext(cert_chain_file_, key_file_);
  if (!context.ok()) return context.status();
  std::string description = DescribeCertificate((*context)->native_handle());
  std::shared_ptr<boost::asio::ssl::context> old;
  {
    std::lock_guard<std::mutex> lock(mu_);
    old = std::exchange(current_, std::move(context).value());
  }
  // The old context goes here, outside the lock, unless a handshake still
  // holds it.
  return description;
}

}  // namespace journaldb::server
