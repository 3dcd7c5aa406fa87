#include "idle_clients.h"

#include <fmt/format.h>

namespace journaldb::bench {

namespace {

Result<sync::Socket> Connect(const std::string& address, const sync::TlsContext* tls) {
  Result<sync::Socket> s = sync::Socket::Connect(address);
  if (!s.ok() || tls == nullptr) return s;
  if (Status started = s->StartTls(*tls, "127.0.0.1"); !started.ok()) return started;
  return s;
}

// Expects a reply of type T on `s`.
template <typename T>
Result<T> Expect(sync::Socket& s) {
  Result<wire::Message> m = sync::ReceiveMessage(s);
  if (!m.ok()) return m.status();
  if (auto* t = std::get_if<T>(&*m)) return *t;
  return Status::IOError(fmt::format("unexpected {}", wire::MessageName(*m)));
}

}  // namespace

Result<std::vector<sync::Socket>> OpenIdleClients(const std::string& address, uint64_t n,
                                                  const sync::TlsContext* tls, uint32_t wait_ms) {
  std::vector<sync::Socket> idle;
  if (n == 0) return idle;
  // One registered client, whose identity every connection proves.
  Result<sync::Socket> registrar = Connect(address, tls);
  if (!registrar.ok()) return registrar.status();
  if (Status s = sync::SendMessage(*registrar, wire::Hello{}); !s.ok()) return s;
  Result<wire::HelloOk> registered = Expect<wire::HelloOk>(*registrar);
  if (!registered.ok()) return registered.status();
  wire::Hello hello;
  hello.client_id = registered->client_id;
  hello.client_secret = registered->client_secret;
  idle.reserve(n);
  // Hellos on every connection before any answer is read: the server serves
  // them all at once.
  for (uint64_t i = 0; i < n; ++i) {
    Result<sync::Socket> s = Connect(address, tls);
    if (!s.ok()) return Status::IOError(fmt::format("connection {}: {}", i, s.status().ToString()));
    if (Status sent = sync::SendMessage(*s, hello); !sent.ok()) return sent;
    idle.push_back(std::move(s).value());
  }
  const wire::DownloadRequest poll{registered->latest_version, wait_ms};
  for (sync::Socket& s : idle) {
    if (Result<wire::HelloOk> ok = Expect<wire::HelloOk>(s); !ok.ok()) return ok.status();
    if (Status sent = sync::SendMessage(s, poll); !sent.ok()) return sent;
  }
  return idle;
}

}  // namespace journaldb::bench
