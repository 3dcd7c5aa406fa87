// ReloadableTlsContext: the server's TLS context (its certificate chain and
// key, sync::TlsContext::ForServer), which the operator can replace while
// the server runs (journal-server on SIGHUP; docs/server.md, "TLS"). Each
// new connection's handshake takes the current context; connections
// already open keep the certificate they began with, since the SSL object
// of each holds its own reference to its context.
//
//   auto tls = ReloadableTlsContext::Load(cert_file, key_file).value();
//   std::shared_ptr<asio::ssl::context> context = tls->Current();  // per handshake
//   Result<std::string> loaded = tls->Reload();  // on failure, Current() is unchanged
//
// Thread safety: Current and Reload may be called from any thread, at once.
#ifndef JOURNALDB_SERVER_RELOADABLE_TLS_CONTEXT_H_
#define JOURNALDB_SERVER_RELOADABLE_TLS_CONTEXT_H_

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "journaldb/status.h"

namespace journaldb::server {

class ReloadableTlsContext {
 public:
  // Loads the PEM certificate chain and its key; invalid-argument naming
  // the file (or both, for a key that does not belong to the certificate)
  // if they cannot be used.
  static Result<std::unique_ptr<ReloadableTlsContext>> Load(std::string cert_chain_file,
                                                            std::string key_file);

  // The context for the next handshake. The caller's reference keeps it
  // alive while it makes its SSL object.
  std::shared_ptr<boost::asio::ssl::context> Current() const;

  // Loads both files again. On success later Current() calls return the new
  // context, and the result describes its certificate (subject and expiry,
  // for the log); on failure (the errors of Load) the current one stays.
  Result<std::string> Reload();

  const std::string& cert_chain_file() const { return cert_chain_file_; }
  const std::string& key_file() const { return key_file_; }

 private:
  ReloadableTlsContext(std::string cert_chain_file, std::string key_file)
      : cert_chain_file_(std::move(cert_chain_file)), key_file_(std::move(key_file)) {}

  const std::string cert_chain_file_;
  const std::string key_file_;
  // Reloads one at a time, so the last one to finish is the last one asked for.
  std::mutex reload_mu_;
  mutable std::mutex mu_;  // guards current_
  std::shared_ptr<boost::asio::ssl::context> current_;
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_RELOADABLE_TLS_CONTEXT_H_
