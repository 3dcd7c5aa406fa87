// journal gc DB: removes recovery snapshots that are fully replayed into DB,
// and the `.tmp` directories interrupted snapshots left behind.
#include <fmt/format.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <string>
#include <vector>

#include "../command.h"
#include "../database_open.h"
#include "../manifest_output.h"
#include "../recovery_open.h"
#include "../value_syntax.h"
#include "journaldb/client_reset.h"
#include "journaldb/recovery_snapshot.h"
#include "journaldb/replayer.h"

namespace journaldb::cli {

namespace {

namespace fs = boost::filesystem;

constexpr std::string_view kDescription =
    R"txt(Removes the recovery snapshots of DB that are fully replayed into DB
(journal replay finished them: every diverged transaction is done), except
the newest N of them (--keep, default 1), and removes the <id>.tmp
directories that interrupted snapshots left. A snapshot that is not fully
replayed is never removed. Each removal is reported; --dry-run only reports.

A snapshot is first renamed to <id>.tmp and then deleted, so a crash midway
leaves a .tmp directory that the next gc removes, never a half-deleted
snapshot. Do not run gc while a snapshot of DB is being taken: its .tmp
directory would be removed. Opens DB read-only.

examples:
  journal gc app.db
  journal gc app.db --keep 0 --dry-run
  journal gc app.db --recovery-root /backups/app --json
)txt";

constexpr OptionSpec kOptions[] = {
    {"--recovery-root", "DIR", "where snapshots are (default: DB.recovery)"},
    {"--keep", "N", "fully replayed snapshots to keep, newest first (default 1)"},
    {"--dry-run", "", "report what would be removed, remove nothing"},
};

constexpr char kTmpSuffix[] = ".tmp";

enum class Verdict { kRemoved, kKept };

struct Entry {
  std::string path;
  std::string what;  // "incomplete", "fully replayed", "not fully replayed"
  Verdict verdict = Verdict::kKept;
};

Status RemoveDir(const fs::path& p) {
  boost::system::error_code ec;
  fs::remove_all(p, ec);
  if (ec) return Status::IOError(fmt::format("remove {}: {}", p.string(), ec.message()));
  return Status::OK();
}

// Renames the snapshot to <id>.tmp first: from then on every tool treats it
// as an incomplete snapshot, and a crash leaves only a .tmp to clean up.
Status RemoveSnapshot(const std::string& path) {
  fs::path tmp = path + std::string(kTmpSuffix);
  boost::system::error_code ec;
  fs::rename(path, tmp, ec);
  if (ec)
    return Status::IOError(fmt::format("rename {} to {}: {}", path, tmp.string(), ec.message()));
  return RemoveDir(tmp);
}

// The `.tmp` directories under `root`, sorted.
Result<std::vector<std::string>> IncompleteSnapshots(const std::string& root) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  if (!fs::exists(root, ec)) return out;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == kTmpSuffix) out.push_back(it->path().string());
  if (ec) return Status::IOError(fmt::format("list {}: {}", root, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

Outcome Run(const ParsedArgs& args, Output& out) {
  const std::string& db_path = args.positional[0];
  Result<std::string> root = RecoveryRootFor(args, db_path);
  if (!root.ok()) return Outcome::Usage(root.status().message());
  uint64_t keep = 1;
  if (const std::string* k = args.Find("--keep")) {
    std::optional<uint64_t> n = ParseUint64(*k);
    if (!n) return Outcome::Usage(fmt::format("--keep wants a count, got {}", DisplayText(*k)));
    keep = *n;
  }
  const bool dry_run = args.Find("--dry-run") != nullptr;

  Result<std::unique_ptr<Database>> db = OpenForRead(db_path);
  if (!db.ok()) return Outcome::Failed(db.status());
  Result<std::vector<std::string>> incomplete = IncompleteSnapshots(*root);
  if (!incomplete.ok()) return Outcome::Failed(incomplete.status());
  // Any damaged manifest stops gc before it removes anything.
  Result<std::vector<RecoverySnapshot>> snapshots = ListRecoverySnapshots(*root);
  if (!snapshots.ok()) return Outcome::Failed(snapshots.status());
  // Oldest first by creation time: ids order by the second only, so two
  // snapshots taken within one second would otherwise be in random order.
  std::stable_sort(snapshots->begin(), snapshots->end(),
                   [](const RecoverySnapshot& a, const RecoverySnapshot& b) {
                     return a.manifest.created_time_us < b.manifest.created_time_us;
                   });

  std::vector<Entry> entries;
  for (const std::string& p : *incomplete) entries.push_back({p, "incomplete", Verdict::kRemoved});
  // The snapshot of an unfinished client reset is still needed by it, even
  // when its replay is complete (a crash before the reset recorded its end).
  Result<std::optional<PendingClientReset>> pending = GetPendingClientReset(**db);
  if (!pending.ok()) return Outcome::Failed(pending.status());
  std::vector<bool> replayed, in_use_by_reset;
  uint64_t replayed_count = 0;
  for (const RecoverySnapshot& s : *snapshots) {
    Result<bool> done = IsFullyReplayed(**db, s);
    if (!done.ok()) return Outcome::Failed(done.status());
    const bool in_use =
        pending->has_value() && (**pending).recovery_id == s.manifest.recovery_id;
    if (in_use) *done = false;
    in_use_by_reset.push_back(in_use);
    replayed.push_back(*done);
    replayed_count += *done ? 1 : 0;
  }
  // Oldest first: the first (replayed_count - keep) replayed ones go.
  uint64_t to_remove = replayed_count > keep ? replayed_count - keep : 0;
  for (size_t i = 0; i < snapshots->size(); ++i) {
    Entry e{(*snapshots)[i].path,
            in_use_by_reset[i] ? "needed by the pending client reset"
            : replayed[i]      ? "fully replayed"
                               : "not fully replayed",
            Verdict::kKept};
    if (replayed[i] && to_remove > 0) {
      e.verdict = Verdict::kRemoved;
      --to_remove;
    }
    entries.push_back(std::move(e));
  }

  uint64_t removed = 0;
  for (const Entry& e : entries) {
    if (e.verdict != Verdict::kRemoved || dry_run) continue;
    Status s = e.what == "incomplete" ? RemoveDir(e.path) : RemoveSnapshot(e.path);
    if (!s.ok()) return Outcome::Failed(s);
    ++removed;
    if (!out.json()) out.text() << fmt::format("removed {} ({})\n", DisplayText(e.path), e.what);
  }

  if (out.json()) {
    out.doc().BeginObject().Key("recovery_root").String(*root);
    out.doc().Key("dry_run").Bool(dry_run).Key("keep").Uint(keep);
    out.doc().Key("entries").BeginArray();
    for (const Entry& e : entries) {
      std::string state = e.what;
      std::replace(state.begin(), state.end(), ' ', '_');  // an identifier: fully_replayed
      out.doc().BeginObject().Key("path").String(e.path).Key("state").String(state);
      out.doc().Key("action").String(e.verdict == Verdict::kKept ? "kept"
                                     : dry_run                   ? "would_remove"
                                                                 : "removed");
      out.doc().EndObject();
    }
    out.doc().EndArray().Key("removed").Uint(removed).EndObject();
    return Outcome::Ok();
  }
  uint64_t kept = 0;
  for (const Entry& e : entries) {
    if (e.verdict == Verdict::kKept) {
      ++kept;
      out.text() << fmt::format("kept {} ({})\n", DisplayText(e.path), e.what);
    } else if (dry_run) {
      out.text() << fmt::format("would remove {} ({})\n", DisplayText(e.path), e.what);
    }
  }
  out.text() << fmt::format("{} {}, {} kept in {}\n", dry_run ? "dry run:" : "gc:",
                            dry_run ? fmt::format("{} would be removed", entries.size() - kept)
                                    : fmt::format("{} removed", removed),
                            kept, DisplayText(*root));
  return Outcome::Ok();
}

}  // namespace

const Command& GcCommand() {
  static const Command kCommand{
      .name = "gc",
      .synopsis = "DB [--recovery-root DIR] [--keep N] [--dry-run]",
      .summary = "remove recovery snapshots fully replayed into DB, and interrupted ones",
      .description = kDescription,
      .options = kOptions,
      .min_args = 1,
      .max_args = 1,
      .run = Run,
  };
  return kCommand;
}

}  // namespace journaldb::cli
