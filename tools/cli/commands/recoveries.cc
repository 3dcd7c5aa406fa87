// journal recoveries DB: list the recovery snapshots of a database.
#include <fmt/format.h>

#include <boost/filesystem.hpp>

#include "../command.h"
#include "../manifest_output.h"
#include "../recovery_open.h"
#include "journaldb/journal/text.h"
#include "journaldb/recovery_directory.h"

namespace journaldb::cli {

namespace {

namespace fs = boost::filesystem;

constexpr std::string_view kDescription =
    R"(Lists the complete recovery snapshots under DB's recovery root (default:
the sibling directory DB.recovery), oldest first: id, creation time, reason,
the diverged lsns with their entry and op counts, and the path to pass to
info, verify, diff and export. A snapshot whose MANIFEST is missing or
damaged is an error naming it (exit 1): nothing is skipped silently.

Directories ending in .tmp are incomplete snapshots left by an interrupted
snapshot; they are mentioned, never listed as snapshots, and not deleted.
A snapshot whose db directory is missing is listed with a warning.
DB itself is not opened, so this works while an app holds it, or after it
was wiped. A missing recovery root means no snapshots.

examples:
  journal recoveries app.db
  journal recoveries app.db --recovery-root /backups/app --json
)";

constexpr OptionSpec kOptions[] = {
    {"--recovery-root", "DIR", "where snapshots are (default: DB.recovery)"},
};

bool HasDatabase(const RecoverySnapshot& s) {
  boost::system::error_code ec;
  return fs::is_directory(s.db_path, ec);
}

std::string Count(uint64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

Outcome Run(const ParsedArgs& args, Output& out) {
  Result<std::string> root_or = RecoveryRootFor(args, args.positional[0]);
  if (!root_or.ok()) return Outcome::Usage(root_or.status().message());
  const std::string& root = *root_or;
  Result<RecoveryDirectoryListing> listing = ListRecoveryDirectory(root);
  if (!listing.ok()) return Outcome::Failed(listing.status());
  // Nothing is skipped silently: a damaged snapshot fails the listing.
  if (!listing->unreadable.empty()) return Outcome::Failed(listing->unreadable.front().status);
  const std::vector<RecoverySnapshot>& snapshots = listing->snapshots;
  const std::vector<std::string>& incomplete = listing->incomplete;

  if (out.json()) {
    out.doc().BeginObject().Key("recovery_root").String(root).Key("snapshots").BeginArray();
    for (const RecoverySnapshot& s : snapshots) {
      out.doc().BeginObject();
      WriteManifestMembers(out.doc(), s);
      out.doc().Key("database_present").Bool(HasDatabase(s)).EndObject();
    }
    out.doc().EndArray().Key("incomplete").BeginArray();
    for (const std::string& p : incomplete) out.doc().String(p);
    out.doc().EndArray().EndObject();
    return Outcome::Ok();
  }
  if (snapshots.empty()) {
    out.text() << "no recovery snapshots in " << DisplayText(root) << "\n";
  } else {
    out.text() << fmt::format("{} in {}, oldest first:\n",
                              Count(snapshots.size(), "recovery snapshot", "recovery snapshots"),
                              DisplayText(root));
  }
  for (const RecoverySnapshot& s : snapshots) {
    const RecoveryManifest& m = s.manifest;
    out.text() << fmt::format("{}  {}  reason {}\n", DisplayText(m.recovery_id),
                              FormatTimeUs(m.created_time_us), text::JsonQuote(m.reason));
    out.text() << fmt::format("    diverged lsns {}: {}, {}\n", DisplayDivergedRange(m),
                              Count(m.diverged_entries, "entry", "entries"),
                              Count(m.diverged_ops, "op", "ops"));
    out.text() << "    path " << DisplayText(s.path) << "\n";
    if (!HasDatabase(s))
      out.text() << "    its database is missing: " << DisplayText(s.db_path) << "\n";
  }
  for (const std::string& p : incomplete)
    out.text() << "incomplete (an interrupted snapshot; not deleted): " << DisplayText(p) << "\n";
  return Outcome::Ok();
}

}  // namespace

const Command& RecoveriesCommand() {
  static const Command kCommand{
      .name = "recoveries",
      .synopsis = "DB [--recovery-root DIR]",
      .summary = "list the recovery snapshots of DB",
      .description = kDescription,
      .options = kOptions,
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
