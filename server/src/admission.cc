#include "journaldb/server/admission.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

namespace journaldb::server {

namespace {

using wire::ErrorCode;
using wire::ResetReason;

// Compares without an early exit so the time taken does not tell how many
// leading bytes of a guessed token were right.
bool TokensEqual(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0;
}

wire::Error Refuse(ErrorCode code, std::string message) {
  return wire::Error{code, std::move(message), ResetReason::kNone, 0};
}

wire::Error Reset(ResetReason reason, std::string message, uint64_t restored_latest = 0) {
  return wire::Error{ErrorCode::kClientReset, std::move(message), reason, restored_latest};
}

// Whether `secret` is the one whose hash the registry holds. Both sides are
// hashed values of fixed size, compared with CRYPTO_memcmp, so the time taken
// tells nothing about how much of a guess was right.
bool SecretMatches(std::string_view secret, const SecretHash& stored) {
  if (secret.size() != wire::kClientSecretBytes) return false;
  SecretHash got = HashClientSecret(secret);
  return CRYPTO_memcmp(got.data(), stored.data(), got.size()) == 0;
}

// The checks for a hello naming a client id the server gave out.
std::optional<wire::Error> CheckKnownClient(const wire::Hello& h, const AdmissionView& view) {
  if (!view.client)
    return Reset(ResetReason::kUnknownClient,
                 fmt::format("client {} is unknown (never registered here, or its registration "
                             "expired unused)",
                             h.client_id));
  if (view.client->reset)
    return Reset(ResetReason::kOperatorReset,
                 fmt::format("an operator reset client {}", h.client_id));
  if (h.epoch != 0 && h.epoch != view.epoch) {
    // Not the latest version: versions written since the restore reuse the
    // numbers of the rolled-back ones, and the client would take its
    // rolled-back writes at those versions for held ones. An epoch this
    // lineage has no fork point for shares nothing known with it: 0, so the
    // client keeps every acknowledged write as diverged rather than guess.
    const uint64_t restored = view.client_epoch_fork_version.value_or(0);
    return Reset(ResetReason::kEpochMismatch,
                 fmt::format("server history changed (epoch {} is not the client's {}); restored "
                             "latest version {}",
                             view.epoch, h.epoch, restored),
                 restored);
  }
  // Lineage and operator decisions above demand a reset whoever asks; what
  // follows is about this client's own history and admits the connection,
  // so only the holder of its secret gets there.
  if (!view.client->secret_hash)
    return Reset(ResetReason::kUnverifiableClient,
                 fmt::format("client {} was registered without a secret, so no hello can prove "
                             "it; it must reset and register again",
                             h.client_id));
  if (!SecretMatches(h.client_secret, *view.client->secret_hash))
    return Refuse(ErrorCode::kBadClientSecret,
                  fmt::format("the hello's client secret ({} bytes) does not prove client {}",
                              h.client_secret.size(), h.client_id));
  // Same epoch, yet the client is ahead of the history or on another one:
  // the data was rolled back in place (an older directory copied back).
  // Version numbers of lost writes may have been reused, so every rollback
  // names the client's highest lsn held instead.
  const Lsn held = view.client->highest_lsn;
  if (h.download_cursor > view.latest_version)
    return Reset(ResetReason::kServerRollback,
                 fmt::format("download cursor {} is beyond the latest server version {}: the "
                             "server's history was rolled back",
                             h.download_cursor, view.latest_version),
                 held);
  // Cursor 0 has nothing to continue from: it bootstraps from the full state.
  // A client below the horizon that has not recorded acks for lsns the
  // server holds (an ack lost, or its data went back) is admitted to send
  // them again first, to be compared by the origins' digests: the reset its
  // download request then gets counts as diverged only what the server does
  // not hold, instead of applying the held entries a second time.
  if (h.download_cursor != 0 && h.download_cursor < view.horizon && h.upload_cursor >= held)
    return Reset(ResetReason::kHistoryTrimmed,
                 fmt::format("history up to version {} was trimmed; the client is at {}",
                             view.horizon, h.download_cursor));
  if (h.upload_cursor > held)
    return Reset(ResetReason::kServerRollback,
                 fmt::format("the client's lsn {} was acknowledged but the server holds only up "
                             "to {}",
                             h.upload_cursor, held),
                 held);
  // A client without a hash (it never downloaded, or stored its cursor
  // before servers kept the chain) is not checked; nor is a cursor the
  // store has no hash for.
  if (!h.download_hash.empty() && view.cursor_hash &&
      h.download_hash != DigestBytes(*view.cursor_hash))
    return Reset(ResetReason::kServerRollback,
                 fmt::format("the server's history at version {} is not the one the client "
                             "downloaded (chain hash differs): it was rolled back and rewritten",
                             h.download_cursor),
                 held);
  return std::nullopt;
}

}  // namespace

std::optional<wire::Error> CheckCredentials(const wire::Hello& h, std::string_view token) {
  if (h.protocol_version != wire::kProtocolVersion)
    return Refuse(ErrorCode::kUnsupportedVersion,
                  fmt::format("protocol version {} is not supported; this server speaks {}",
                              h.protocol_version, wire::kProtocolVersion));
  if (!TokensEqual(h.token, token)) return Refuse(ErrorCode::kUnauthorized, "wrong token");
  return std::nullopt;
}

AdmissionDecision DecideAdmission(const wire::Hello& h, std::string_view token,
                                  const AdmissionView& view) {
  if (std::optional<wire::Error> refusal = CheckCredentials(h, token)) return *std::move(refusal);
  Admit admit;
  admit.reply = wire::HelloOk{h.client_id, view.epoch, view.latest_version, view.horizon, 0, {}};
  if (h.client_id == 0) {
    if (h.epoch != 0 || h.download_cursor != 0 || h.upload_cursor != 0 ||
        !h.client_secret.empty() || !h.download_hash.empty())
      return Refuse(ErrorCode::kProtocolViolation,
                    "a hello without client id must carry no cursors, no hash and no secret");
    if (!h.registration_secret.empty() && h.registration_secret.size() != wire::kClientSecretBytes)
      return Refuse(ErrorCode::kProtocolViolation,
                    fmt::format("the hello's registration secret is {} bytes, not {}",
                                h.registration_secret.size(), wire::kClientSecretBytes));
    admit.register_client = true;
    admit.registration_secret = h.registration_secret;
    return admit;
  }
  if (!h.registration_secret.empty())
    return Refuse(ErrorCode::kProtocolViolation,
                  fmt::format("a hello of client {} carries a registration secret; only one "
                              "without a client id may",
                              h.client_id));
  if (std::optional<wire::Error> refusal = CheckKnownClient(h, view)) return *std::move(refusal);
  admit.reply.highest_stored_lsn = view.client->highest_lsn;
  admit.first_use = !view.client->used;
  return admit;
}

}  // namespace journaldb::server
