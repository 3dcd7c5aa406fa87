// journal status DB: sync identity, cursors, unsynced entries, last error.
#include <fmt/format.h>

#include <algorithm>

#include "../command.h"
#include "../database_open.h"
#include "../reset_outcome_output.h"
#include "journaldb/client_reset.h"
#include "journaldb/sync.h"

namespace journaldb::cli {

namespace {

constexpr std::string_view kDescription =
    R"(Prints the client id (0: never synced), the epoch, the download cursor
(last server version integrated), the upload cursor (highest lsn the server
acknowledged), the last lsn, the number of journal entries not yet
acknowledged, the last sync error (empty after a successful sync), and a
client reset the server demanded that has not finished: its step, reason and
recovery snapshot path (`journal reset DB` executes one that is pending),
and the outcome of the last client reset that finished, stored with the
database: when, the recovery snapshot, what was replayed, left out or not
recovered (also after the process that ran it exited). Opens DB read-only.

example:
  journal status app.db --json
)";

Outcome Run(const ParsedArgs &args, Output &out) {
  Result<std::unique_ptr<Database>> db = OpenForRead(args.positional[0]);
  if (!db.ok()) return OpenFailed(args.positional[0], db.status());
  Result<SyncStatus> s = GetSyncStatus(**db);
  if (!s.ok()) return Outcome::Failed(s.status());
  Result<std::optional<PendingClientReset>> reset = GetPendingClientReset(**db);
  if (!reset.ok()) return Outcome::Failed(reset.status());
  Result<std::optional<ClientResetOutcome>> last = LastClientResetOutcome(**db);
  if (!last.ok()) return Outcome::Failed(last.status());
  const std::pair<std::string_view, uint64_t> numbers[] = {
      {"client_id", s->client_id},
      {"epoch", s->epoch},
      {"download_cursor", s->download_cursor},
      {"upload_cursor", s->upload_cursor},
      {"last_lsn", s->last_lsn},
      {"unsynced_entries", s->unsynced_entries},
  };
  if (out.json()) {
    out.doc().BeginObject();
    for (const auto &[name, value] : numbers) out.doc().Key(name).Uint(value);
    out.doc().Key("last_error").String(s->last_error).Key("client_reset");
    if (!reset->has_value()) {
      out.doc().Null();
    } else {
      const PendingClientReset &p = **reset;
      out.doc()
          .BeginObject()
          .Key("step")
          .String(ClientResetStepName(p.step))
          .Key("reason")
          .String(p.reason)
          .Key("message")
          .String(p.message)
          .Key("restored_latest_version")
          .Uint(p.restored_latest_version)
          .Key("recovery_path")
          .String(p.recovery_root + "/" + p.recovery_id)
          .Key("mode")
          .String(p.mode)
          .EndObject();
    }
    out.doc().Key("last_client_reset");
    if (last->has_value())
      WriteResetOutcomeJson(out.doc(), **last);
    else
      out.doc().Null();
    out.doc().EndObject();
    return Outcome::Ok();
  }
  for (auto [name, value] : numbers) {
    std::string label(name);
    std::replace(label.begin(), label.end(), '_', ' ');
    out.text() << fmt::format("{:<17} {}\n", label, value);
  }
  out.text() << fmt::format("{:<17} {}\n", "last error",
                            s->last_error.empty() ? "none" : s->last_error);
  if (!reset->has_value()) {
    out.text() << fmt::format("{:<17} none\n", "client reset");
  } else {
    const PendingClientReset &p = **reset;
    out.text() << fmt::format("{:<17} {} ({}): {}\n", "client reset", ClientResetStepName(p.step),
                              p.reason, p.message);
    out.text() << fmt::format("{:<17} {}/{}\n", "recovery path", p.recovery_root, p.recovery_id);
  }
  if (!last->has_value()) {
    out.text() << fmt::format("{:<17} none\n", "last reset");
  } else {
    out.text() << fmt::format("{:<17} finished {}\n", "last reset",
                              FormatTimeUs((**last).finished_time_us));
    PrintResetOutcome(**last, out.text());
  }
  return Outcome::Ok();
}

}  // namespace

const Command &StatusCommand() {
  static const Command kCommand{
      .name = "status",
      .synopsis = "DB",
      .summary = "print sync cursors, unsynced entries and the last sync error",
      .description = kDescription,
      .options = {},
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
