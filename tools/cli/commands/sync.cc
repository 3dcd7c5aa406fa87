// journal sync DB --server HOST:PORT [--token T]: one sync round.
#include "journaldb/sync.h"

#include <fmt/format.h>

#include "../command.h"
#include "../database_open.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Connects to a journal-server, uploads every journal entry the server has
not acknowledged, downloads and integrates everything the server has, and
exits 0 when both are caught up (docs/protocol.md). Creates the database if DB
does not exist. A client reset demanded by the server, a wrong token and other
protocol errors exit 1 with the server's reason; `journal status` shows the
last error afterwards.

example:
  journal sync app.db --server 127.0.0.1:7000 --token s3cret
)";

constexpr OptionSpec kOptions[] = {
    {"--server", "HOST:PORT", "the journal-server to sync with (required)"},
    {"--token", "TOKEN", "the server's shared secret (default: none)"},
};

Outcome Run(const ParsedArgs &args, Output &out) {
  SyncOptions options;
  if (const std::string *server = args.Find("--server")) options.server = *server;
  if (options.server.empty()) return Outcome::Usage("sync needs --server HOST:PORT");
  if (const std::string *token = args.Find("--token")) options.token = *token;
  Result<std::unique_ptr<Database>> db = OpenForWrite(args.positional[0]);
  if (!db.ok()) return Outcome::Failed(db.status());
  Result<SyncReport> r = SyncOnce(**db, options);
  if (!r.ok()) return Outcome::Failed(r.status());
  if (out.json()) {
    out.doc()
        .BeginObject()
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
        .EndObject();
    return Outcome::Ok();
  }
  out.text() << fmt::format(
      "synced with {} as client {}: uploaded {} entries, "
      "downloaded {} changesets{}\n"
      "download cursor {}, upload cursor {}\n",
      options.server, r->client_id, r->uploaded_entries, r->downloaded_changesets,
      r->bootstrapped ? " (bootstrapped the full state)" : "", r->download_cursor,
      r->upload_cursor);
  return Outcome::Ok();
}

}  // namespace

const Command &SyncCommand() {
  static const Command kCommand{
      .name = "sync",
      .synopsis = "DB --server HOST:PORT [--token TOKEN]",
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
