// Workload `snapshot`: what a recovery snapshot costs before a client reset.
// For each size, a fresh database is filled through the public API with
// incompressible values (large buffered transactions, so building 1 GiB
// takes seconds, not minutes) until its directory holds that many bytes on
// disk, then reopened, which flushes the log into SST files. Then, --runs
// times each:
//  1. CreateRecoverySnapshot (the whole public call: checkpoint, read-back
//     for the manifest's cursors and diverged counts, manifest, fsyncs),
//     never synced, so every op is diverged and the read-back covers the
//     whole journal (the worst case);
//  2. after everything was uploaded to a journal-server (the server library,
//     in process, over loopback TCP) and acknowledged, the same call with
//     nothing diverged, as for an app that was online until the reset;
//  3. the checkpoint alone (hard links), to show which part the time is in;
//  4. after closing the database, a durable copy of its directory, the
//     baseline (what backing up the database by hand costs).
#include <fmt/format.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <vector>

#include "bench.h"
#include "bench_dir.h"
#include "dir_copy.h"
#include "journaldb/database.h"
#include "journaldb/engine/checkpoint.h"
#include "journaldb/recovery_snapshot.h"
#include "json_line.h"
#include "median.h"
#include "rss.h"
#include "upload_all.h"

namespace journaldb::bench {

namespace {

namespace fs = boost::filesystem;

constexpr uint64_t kDefaultSizes[] = {100ull << 20, 1ull << 30};
constexpr int kDefaultRuns = 5;
// Each object: one bytes field of this many random bytes. The journal entry
// holds the value again, so an object costs about twice this on disk.
constexpr size_t kValueBytes = 1024;
constexpr uint64_t kObjectsPerTransaction = 100;

// xorshift64*: random enough that no block compresses, fast enough not to
// matter next to the writes.
class RandomBytes {
 public:
  std::string Next(size_t n) {
    std::string out(n, '\0');
    for (size_t i = 0; i < n; i += 8) {
      state_ ^= state_ >> 12;
      state_ ^= state_ << 25;
      state_ ^= state_ >> 27;
      uint64_t v = state_ * 0x2545F4914F6CDD1Dull;
      for (size_t b = 0; b < 8 && i + b < n; ++b, v >>= 8) out[i + b] = static_cast<char>(v);
    }
    return out;
  }

 private:
  uint64_t state_ = 0x9E3779B97F4A7C15ull;
};

double MillisSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// A first guess of the disk bytes per object (measured: about 2.3 KB with
// 1 KiB values); later rounds use the measured figure.
constexpr uint64_t kGuessBytesPerObject = 2300;

// Commits `count` more objects, numbered from `first`, in transactions of
// kObjectsPerTransaction.
Status CommitRandomObjects(Database& db, RandomBytes& random, uint64_t first, uint64_t count) {
  for (uint64_t i = first; i < first + count;) {
    Transaction t = db.BeginTransaction();
    for (uint64_t end = std::min(first + count, i + kObjectsPerTransaction); i < end; ++i) {
      FieldMap fields;
      fields.emplace(kField, Value::BytesValue(random.Next(kValueBytes)));
      if (Status s = t.Upsert(kCollection, ObjectKey(i), std::move(fields)); !s.ok()) return s;
    }
    if (Result<Lsn> lsn = t.Commit(); !lsn.ok()) return lsn.status();
  }
  return Status::OK();
}

// Fills `db_path` until the closed database holds at least `target_bytes` on
// disk; returns the number of objects written. Measured only between rounds,
// with the database closed: while it is open, its files count data twice
// (in the log and in flushed tables) or not at all (preallocated log space).
Result<uint64_t> Fill(const std::string& db_path, uint64_t target_bytes) {
  RandomBytes random;
  uint64_t objects = 0, used = 0;
  while (used < target_bytes) {
    const uint64_t per_object =
        objects == 0 ? kGuessBytesPerObject : std::max<uint64_t>(used / objects, 1);
    // The rest, in whole transactions: rounds end when the estimate is right.
    uint64_t more = (target_bytes - used + per_object - 1) / per_object;
    more = (more + kObjectsPerTransaction - 1) / kObjectsPerTransaction * kObjectsPerTransaction;
    {
      Result<std::unique_ptr<Database>> db = Database::Open(db_path, Options{});
      if (!db.ok()) return db.status();
      if (Status s = CommitRandomObjects(**db, random, objects, more); !s.ok()) return s;
    }
    objects += more;
    Result<uint64_t> bytes = DirectoryBytes(db_path, DirBytes::kAllocated);
    if (!bytes.ok()) return bytes.status();
    used = *bytes;
  }
  return objects;
}

struct SizeResult {
  uint64_t objects = 0, db_bytes = 0, diverged_ops = 0;
  double fill_seconds = 0, upload_seconds = 0;
  std::vector<double> snapshot_ms, synced_snapshot_ms, checkpoint_ms, copy_ms;
};

void RunLine(uint64_t target, const char* side, int run, double ms) {
  JsonLine()
      .Add("workload", "snapshot")
      .Add("side", side)
      .Add("size_target_bytes", target)
      .Add("run", run)
      .Add("ms", ms, 2)
      .Print();
}

// Times CreateRecoverySnapshot `runs` times; each snapshot is removed after
// it was timed. Returns the diverged op count the last manifest recorded.
Result<uint64_t> TimeSnapshots(const Database& db, const std::string& recovery_root,
                               uint64_t target, const char* side, int runs,
                               std::vector<double>& ms) {
  uint64_t diverged_ops = 0;
  for (int run = 1; run <= runs; ++run) {
    auto t0 = std::chrono::steady_clock::now();
    Result<RecoverySnapshot> snap = CreateRecoverySnapshot(db, recovery_root, "bench");
    if (!snap.ok()) return snap.status();
    ms.push_back(MillisSince(t0));
    diverged_ops = snap->manifest.diverged_ops;
    RunLine(target, side, run, ms.back());
    fs::remove_all(snap->path);
  }
  return diverged_ops;
}

Result<SizeResult> MeasureSize(const fs::path& root, uint64_t target, int runs) {
  SizeResult r;
  const std::string db_path = (root / "db").string();
  const auto fill_start = std::chrono::steady_clock::now();
  Result<uint64_t> objects = Fill(db_path, target);
  if (!objects.ok()) return objects.status();
  r.objects = *objects;
  r.fill_seconds = MillisSince(fill_start) / 1000;

  {
    // Reopened: the write-ahead log is replayed and flushed, so the data is
    // in SST files, as in a database that has been closed since its writes.
    Result<std::unique_ptr<Database>> db = Database::Open(db_path, Options{});
    if (!db.ok()) return db.status();
    const std::string recovery_root = (root / "recovery").string();
    Result<uint64_t> diverged =
        TimeSnapshots(**db, recovery_root, target, "snapshot", runs, r.snapshot_ms);
    if (!diverged.ok()) return diverged.status();
    if (*diverged != r.objects)
      return Status::Corruption("the manifest does not count every op as diverged");
    r.diverged_ops = *diverged;

    const auto upload_start = std::chrono::steady_clock::now();
    if (Status s = UploadEverything(**db, (root / "server").string()); !s.ok()) return s;
    r.upload_seconds = MillisSince(upload_start) / 1000;
    fs::remove_all(root / "server");
    diverged =
        TimeSnapshots(**db, recovery_root, target, "snapshot-synced", runs, r.synced_snapshot_ms);
    if (!diverged.ok()) return diverged.status();
    if (*diverged != 0) return Status::Corruption("ops still diverged after the upload");

    const std::string checkpoint_dir = (root / "checkpoint").string();
    for (int run = 1; run <= runs; ++run) {
      auto t0 = std::chrono::steady_clock::now();
      if (Status s = CreateCheckpoint(**db, checkpoint_dir); !s.ok()) return s;
      r.checkpoint_ms.push_back(MillisSince(t0));
      RunLine(target, "checkpoint", run, r.checkpoint_ms.back());
      fs::remove_all(checkpoint_dir);
    }
  }

  // Closed, so nothing changes under the copy.
  Result<uint64_t> used = DirectoryBytes(db_path, DirBytes::kAllocated);
  if (!used.ok()) return used.status();
  r.db_bytes = *used;
  const std::string copy_dir = (root / "copy").string();
  for (int run = 1; run <= runs; ++run) {
    auto t0 = std::chrono::steady_clock::now();
    if (Status s = CopyTreeDurably(db_path, copy_dir); !s.ok()) return s;
    r.copy_ms.push_back(MillisSince(t0));
    RunLine(target, "copy", run, r.copy_ms.back());
    fs::remove_all(copy_dir);
  }
  return r;
}

}  // namespace

int RunSnapshot(const BenchArgs& args) {
  std::vector<uint64_t> sizes = args.sizes;
  if (sizes.empty()) sizes.assign(std::begin(kDefaultSizes), std::end(kDefaultSizes));
  const int runs = args.runs.value_or(kDefaultRuns);
  for (uint64_t target : sizes) {
    // A fresh directory per size, removed with everything in it afterwards.
    Result<BenchDir> dir = BenchDir::Temp();
    if (!dir.ok()) {
      std::fprintf(stderr, "journal-bench: %s\n", dir.status().ToString().c_str());
      return 1;
    }
    const fs::path root = fs::path(dir->db_path()).parent_path();
    // Boost's removals throw on failure; a bench error is a status like any other.
    auto measure = [&]() -> Result<SizeResult> {
      try {
        return MeasureSize(root, target, runs);
      } catch (const fs::filesystem_error& e) {
        return Status::IOError(e.what());
      }
    };
    Result<SizeResult> r = measure();
    if (!r.ok()) {
      std::fprintf(stderr, "journal-bench: snapshot (%llu bytes): %s\n",
                   static_cast<unsigned long long>(target), r.status().ToString().c_str());
      return 1;
    }
    const double snapshot_ms = Median(r->snapshot_ms), copy_ms = Median(r->copy_ms);
    const double synced_ms = Median(r->synced_snapshot_ms);
    JsonLine()
        .Add("workload", "snapshot")
        .Add("side", "summary")
        .Add("runs", runs)
        .Add("size_target_bytes", target)
        .Add("db_bytes", r->db_bytes)
        .Add("ops", r->objects)
        .Add("diverged_ops", r->diverged_ops)
        .Add("fill_seconds", r->fill_seconds, 2)
        .Add("upload_seconds", r->upload_seconds, 2)
        .Add("seconds", snapshot_ms / 1000, 4)
        .Add("snapshot_ms", snapshot_ms, 2)
        .Add("synced_snapshot_ms", synced_ms, 2)
        .Add("checkpoint_ms", Median(r->checkpoint_ms), 2)
        .Add("copy_ms", copy_ms, 2)
        // Snapshot time over copy time: below 1, the snapshot is cheaper.
        .Add("ratio", copy_ms > 0 ? snapshot_ms / copy_ms : 0.0, 4)
        .Add("synced_ratio", copy_ms > 0 ? synced_ms / copy_ms : 0.0, 4)
        .Add("peak_rss_kib", PeakRssKib())
        .Print();
  }
  return 0;
}

}  // namespace journaldb::bench
