// Admission: the sync server's answer to a client's hello (docs/protocol.md,
// "Hello") as a pure function of the hello and of what the server knows, so
// every client-reset trigger can be tested without a socket or a store.
//
//   AdmissionView view =
//       store.ReadAdmissionView(hello.client_id, hello.epoch, hello.download_cursor);
//   AdmissionDecision d = DecideAdmission(hello, options.token, view);
//   if (const wire::Error* refusal = std::get_if<wire::Error>(&d)) return Refuse(*refusal);
//
// Thread safety: DecideAdmission reads only its arguments; call it from any
// thread.
#ifndef JOURNALDB_SERVER_ADMISSION_H_
#define JOURNALDB_SERVER_ADMISSION_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>

#include "journaldb/protocol/wire_codec.h"
#include "journaldb/server/chain_hash.h"
#include "journaldb/server/client_secret.h"

namespace journaldb::server {

// What the client registry holds for one client id.
struct ClientRecord {
  Lsn highest_lsn = 0;  // highest lsn of this client in the history
  bool reset = false;   // an operator forced a client reset
  // The hash of the secret issued at registration; nullopt for a client
  // registered before servers issued secrets (docs/server.md, "Identity").
  std::optional<SecretHash> secret_hash;
  // When the server registered the client, in microseconds since the Unix
  // epoch; 0 for a client registered before servers kept it.
  int64_t registered_at_us = 0;
  // The client came back since it registered: a hello with its id, or an
  // upload. A registration never used expires after a while
  // (ServerStorage::RemoveUnusedRegistrations). True for entries written
  // before servers kept it, so that an upgrade never expires them.
  bool used = true;
};

// What the server's store knows when a hello arrives. The handler fills it
// in one go before deciding, so the decision sees one state of the store.
struct AdmissionView {
  // The server's lineage: its epoch, newest version and trimmed horizon.
  uint64_t epoch = 0;
  uint64_t latest_version = 0;
  uint64_t horizon = 0;
  // The registry entry of the hello's client id; nullopt if the registry has
  // none. Not consulted for a hello with client id 0.
  std::optional<ClientRecord> client;
  // The last version the hello's epoch shares with this lineage
  // (ServerStore::ForkVersion); nullopt if that epoch is no ancestor the
  // store knows. Consulted only when the hello's epoch is non-zero and not
  // `epoch`.
  std::optional<uint64_t> client_epoch_fork_version;
  // The chain hash at the hello's download cursor (ServerStorage::ChainHashAt);
  // nullopt if the store has none there.
  std::optional<ChainHash> cursor_hash;
};

// The hello is accepted.
struct Admit {
  // What to answer. Its client_id is 0 when `register_client` is set.
  wire::HelloOk reply;
  // The hello asked for a client id: the handler registers a new one and
  // puts it in reply.client_id before sending.
  bool register_client = false;
  // With register_client: the secret the hello proposed (its
  // registration_secret), to register with instead of issuing one; empty:
  // the handler issues one.
  std::string registration_secret;
  // The hello had no client id, but its registration secret is that of
  // client reply.client_id, admitted as that client (logged).
  bool registered_before = false;
  // The hello proves a registration that was never used: the handler marks
  // it used (ServerStorage::MarkClientUsed) before replying, so it does not
  // expire.
  bool first_use = false;
};

// Either the accepted hello's reply, or the error to send before closing
// (code ClientReset with its reason for every reset trigger).
using AdmissionDecision = std::variant<Admit, wire::Error>;

// The checks that need nothing from the store: the protocol version, then
// `token` (the server's shared registration credential; compared in time
// independent of how many leading bytes match). The server runs them before
// it reads the store for a hello, so a peer that cannot be admitted costs no
// read.
[[nodiscard]] std::optional<wire::Error> CheckCredentials(const wire::Hello& hello,
                                                          std::string_view token);

// Checks, in this order: CheckCredentials, then for a new client (id 0)
// that it carries no epoch, cursors or secret, and a registration secret of
// kClientSecretBytes if any (the server looks it up: Server::DecideHello),
// and for a known id: no registration secret,
// registered (else reset UnknownClient), not reset by an operator
// (OperatorReset), same epoch unless 0 (EpochMismatch, naming the fork
// version or 0), a secret hash stored (else reset UnverifiableClient), the
// hello's secret hashing to it
// (BadClientSecret; compared in constant time), download cursor not beyond
// the latest version (ServerRollback), not below the horizon unless 0 or
// the upload cursor is below the highest lsn held (HistoryTrimmed; that
// client re-sends those entries first, and its download request is reset),
// upload cursor not above the highest lsn held
// (ServerRollback), and the hello's download hash, if it has one, equal to
// the chain hash at its cursor (ServerRollback). Every ServerRollback names
// the highest lsn of the client held. An admitted known client whose
// registration was never used is admitted with first_use set.
[[nodiscard]] AdmissionDecision DecideAdmission(const wire::Hello& hello, std::string_view token,
                                                const AdmissionView& view);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_ADMISSION_H_
