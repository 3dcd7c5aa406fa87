// journal sync DB --server HOST:PORT [--token T] [--tls] [--tls-ca FILE]
// [--on-reset STRATEGY]: one sync round.
#include "journaldb/sync.h"

#include "journaldb/client_reset_strategy.h"

#include <fmt/format.h>

#include "../command.h"
#include "../database_open.h"
#include "../reset_outcome_output.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Connects to a journal-server, uploads every journal entry the server has
not acknowledged, downloads and integrates everything the server has, and
exits 0 when both are caught up (docs/protocol.md). Creates the database if DB
does not exist. A wrong token and other protocol errors exit 1 with the
server's reason; `journal status` shows the last error afterwards. A --server
that is not HOST:PORT, or a --tls-ca file that cannot be loaded, is a usage
error (exit 2): nothing is created or recorded.

With --tls (implied by --tls-ca) the connection is TLS, and the server's
certificate must be signed by one in --tls-ca FILE (default: the system's
trusted certificates) and name the HOST of --server; an untrusted
certificate fails the sync (exit 1) before anything is sent.

A client reset the server demands (docs/client-reset.md) is handled by
--on-reset:
  none                (default) record it as pending and exit 1; nothing local
                      is touched; run `journal reset DB` when ready
  manual              write the recovery snapshot, wipe, download the server
                      state; replay later with `journal replay`
  discard             the same (the diverged ops stay in the snapshot only)
  recover             the same, then replay the diverged ops with local-wins,
                      and upload the replayed writes; an op that cannot apply
                      (an increment of a field the server made a string) is
                      left out and listed
  recover-or-discard  recover; if the replay stops, keep the server state:
                      the writes not replayed stay in the snapshot only, and
                      the sync exits 1 naming them
A reset left pending by an earlier sync also runs with these, and is reported
as a reset that ran.

examples:
  journal sync app.db --server 127.0.0.1:7000 --token s3cret
  journal sync app.db --server 127.0.0.1:7000 --on-reset recover
  journal sync app.db --server sync.example.com:7000 --tls --token s3cret
)";

constexpr OptionSpec kOptions[] = {
    {"--server", "HOST:PORT", "the journal-server to sync with (required)"},
    {"--token", "TOKEN", "the server's shared secret (default: none)"},
    {"--tls", "", "speak TLS and verify the server's certificate"},
    {"--tls-ca", "FILE", "PEM certificates the server's must chain to (implies --tls)"},
    {"--on-reset", "STRATEGY", "none|manual|discard|recover|recover-or-discard (default: none)"},
};

// The strategy named by --on-reset; nullptr for "none".
Result<std::shared_ptr<ClientResetStrategy>> StrategyNamed(const std::string &name) {
  if (name == "none") return std::shared_ptr<ClientResetStrategy>();
  // From the command line, "manual" means: execute it now, replay later.
  if (name == "manual")
    return ManualRecoveryStrategy(
        [](SyncSession *, ClientResetRequiredError &e) { e.execute_client_reset().IgnoreError(); });
  if (name == "discard") return DiscardUnsyncedChanges();
  if (name == "recover") return RecoverUnsyncedChanges();
  if (name == "recover-or-discard") return RecoverOrDiscardUnsyncedChanges();
  return Status::InvalidArgument(fmt::format(
      "--on-reset: unknown strategy \"{}\" (none, manual, discard, recover, recover-or-discard)",
      name));
}

Outcome Run(const ParsedArgs &args, Output &out) {
  SyncOptions options;
  if (const std::string *server = args.Find("--server")) options.server = *server;
  if (options.server.empty()) return Outcome::Usage("sync needs --server HOST:PORT");
  if (const std::string *ca = args.Find("--tls-ca")) options.tls_ca_file = *ca;
  options.tls = args.Find("--tls") != nullptr || !options.tls_ca_file.empty();
  if (Status s = ValidateSyncOptions(options); !s.ok())
  {
    // The library names its Options field; the command line names its flag.
    constexpr std::string_view kCaField = "Options::sync.tls_ca_file: ";
    std::string_view message = s.message();
    if (message.starts_with(kCaField))
      return Outcome::Usage(fmt::format("--tls-ca: {}", message.substr(kCaField.size())));
    return Outcome::Usage(fmt::format("--server: {}", message));
  }
  if (const std::string *token = args.Find("--token")) options.token = *token;
  const std::string *on_reset = args.Find("--on-reset");
  Result<std::shared_ptr<ClientResetStrategy>> strategy =
      StrategyNamed(on_reset ? *on_reset : "none");
  if (!strategy.ok()) return Outcome::Usage(strategy.status().message());
  Result<std::unique_ptr<Database>> db =
      OpenForWrite(args.positional[0], /*create_if_missing=*/true, *strategy);
  if (!db.ok()) return OpenFailed(args.positional[0], db.status());
  Result<SyncReport> r = SyncOnce(**db, options);
  if (!r.ok()) return Outcome::Failed(r.status());
  // Writes dropped from the live database fail the command, with the report.
  Status discarded;
  if (r->client_reset && r->client_reset->discarded)
    discarded = Status::FailedPrecondition(
        DescribeDiscardedWrites(*r->client_reset, args.positional[0]));
  if (out.json()) {
    out.doc().BeginObject();
    if (!discarded.ok()) WriteStoppedErrorMember(out.doc(), discarded.message());
    out.doc()
        .Key("client_id")
        .Uint(r->client_id)
        .Key("epoch")
        .Uint(r->epoch)
        .Key("uploaded_entries")
        .Uint(r->uploaded_entries)
        .Key("downloaded_changesets")
        .Uint(r->downloaded_changesets)
        .Key("download_cursor")
        .Uint(r->download_cursor)
        .Key("upload_cursor")
        .Uint(r->upload_cursor)
        .Key("bootstrapped")
        .Bool(r->bootstrapped)
        .Key("client_reset")
        .Bool(r->reset)
        .Key("reset_outcome");
    if (r->client_reset)
      WriteResetOutcomeJson(out.doc(), *r->client_reset);
    else
      out.doc().Null();
    out.doc().EndObject();
  } else {
    if (r->reset)
      out.text() << fmt::format("the server demanded a client reset; it ran with --on-reset {} "
                                "(`journal recoveries {}` lists the recovery snapshot)\n",
                                on_reset ? *on_reset : "none", args.positional[0]);
    if (r->client_reset) PrintResetOutcome(*r->client_reset, out.text());
    out.text() << fmt::format(
        "synced with {} as client {}: uploaded {} entries, "
        "downloaded {} changesets{}\n"
        "download cursor {}, upload cursor {}\n",
        options.server, r->client_id, r->uploaded_entries, r->downloaded_changesets,
        r->bootstrapped ? " (bootstrapped the full state)" : "", r->download_cursor,
        r->upload_cursor);
  }
  if (discarded.ok()) return Outcome::Ok();
  Outcome outcome = Outcome::Failed(std::move(discarded));
  outcome.error_document = true;
  return outcome;
}

}  // namespace

const Command &SyncCommand() {
  static const Command kCommand{
      .name = "sync",
      .synopsis = "DB --server HOST:PORT [--token TOKEN] [--tls] [--tls-ca FILE] "
                  "[--on-reset STRATEGY]",
      .summary = "upload and download until caught up with a journal-server",
      .description = kDescription,
      .options = kOptions,
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
