// IdleClients: N connections to a journal-server that each proved one
// registered client's identity and wait in a long-polling download, with
// nothing else happening on them. Plain sockets (TLS when given a context),
// no thread each.
#ifndef JOURNALDB_TOOLS_BENCH_IDLE_CLIENTS_H_
#define JOURNALDB_TOOLS_BENCH_IDLE_CLIENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "journaldb/protocol/socket.h"
#include "journaldb/protocol/tls.h"

namespace journaldb::bench {

// `tls` null: cleartext. Each download asks to wait up to `wait_ms`.
Result<std::vector<sync::Socket>> OpenIdleClients(const std::string& address, uint64_t n,
                                                  const sync::TlsContext* tls, uint32_t wait_ms);

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_IDLE_CLIENTS_H_
