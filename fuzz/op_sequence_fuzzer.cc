// A sequence of transactions decoded from the input is committed to a real
// database (RocksDB over an in-memory Env), with a reopen in the middle where
// the input holds two 0xFF bytes in a row before a transaction (in one input
// of kReopenOneIn: see below). After the sequence an independent fold of the
// run's journal entries must equal what the read API returns for the run's
// collections, every list the fold made must be well formed (unique ids,
// forwarding only from tombstones to ids in the list), and every
// kRunsPerDatabase runs Database::Verify() must find the whole state equal
// to the fold of the whole journal. Commits may fail only with
// invalid-argument (an increment of a non-int64 field, a list op on a
// non-list field or on an element the list lacks), and then must have
// written nothing.
//
// List ops go through both doors: the Transaction list API, which checks ids
// and assigns new ones (not-found and invalid-argument are expected answers),
// and Transaction::Write of raw list ops, unchecked until commit, with ids the
// run was given earlier (so anchors, sets, moves and removes hit real
// elements, including moved and removed ones) or made up (unknown anchors,
// repeated insert ids).
//
// Runs share one database and each run writes to collections of its own,
// named after the run: opening a database (RocksDB writes, re-parses and
// logs its OPTIONS file for five column families, starts table-loading
// threads, allocates memtables) takes 100 to 200 ms under ASan against about
// 2 ms of CPU for a whole run, so opens are rare. A reopen needs a two-byte
// marker at the start of a transaction, and it is honoured in one input of
// kReopenOneIn (op_sequence_reopen.h: by a hash of the whole input, so an
// input always does the same): the marker alone made 8% of all runs reopen
// (30% once the corpus grew), which took three quarters of the fuzzing time
// (45 runs/s). The reopened database must hold the lsn the last commit
// returned. A fresh database comes every kRunsPerDatabase runs, after the
// full Verify. The database gets the smallest memory budget: small memtables
// are quick to allocate and free, which under ASan is much of an open's cost.
//
// Much of an input's CPU was not the target's (perf, CPU time per input):
// libFuzzer's entropic schedule searched a list of thousands of rare
// features for every feature of every input, 1 to 2 ms and growing with the
// corpus, until its threshold came down to 1
// (fuzz/options/op_sequence_fuzzer.flags); ASan's default allocation stacks
// and quarantine cost 0.15 to 0.45 ms more (__asan_default_options below);
// libFuzzer's comparison hooks in the code under the target took a fifth of
// the samples until only the decoders kept them (cmake/JournaldbFuzzing.cmake),
// and this target links untraced copies of the journal's decoders
// (fuzz/CMakeLists.txt); each reopen used to redo a creation, with a marker
// fsynced on disk, because the engine looked for CURRENT on disk, not in the
// Env. What is left, about 1.2 ms of CPU per input under ASan: the
// commits about half, the run's fold and scan, the opens and the Verify most
// of the rest
// (docs/benchmarks.md, "Fuzzing speed").
#include <rocksdb/db.h>
#include <rocksdb/env.h>

#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "journaldb/engine/open_with_env.h"
#include "journaldb/journal/fold.h"
#include "journaldb/sync.h"
#include "op_sequence_reopen.h"

// ASan's allocator defaults are costly here: an input makes about 900
// allocations (200 KB), each recording a 30-frame stack, and a 256 MB
// quarantine keeps the allocator touching fresh pages. A use-after-free is still
// caught while the freed block sits in the 32 MB quarantine (the frees of
// about 160 inputs); reports keep the 5 innermost frames of the allocation
// and free stacks: rerun a finding with ASAN_OPTIONS=malloc_context_size=30
// for whole stacks (ASAN_OPTIONS overrides these).
extern "C" const char* __asan_default_options() {
  return "malloc_context_size=5:quarantine_size_mb=32";
}

namespace {

constexpr int kRunsPerDatabase = 512;

using journaldb::Database;
using journaldb::ElementId;
using journaldb::Operation;
using journaldb::Status;
using journaldb::Value;

[[noreturn]] void Fail(const std::string& why) {
  std::fprintf(stderr, "op_sequence_fuzzer: %s\n", why.c_str());
  std::abort();
}

class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool empty() const { return pos_ >= size_; }
  uint8_t Byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  int64_t Int() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | Byte();
    return static_cast<int64_t>(v);
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// A scalar value: upserts and list elements hold no lists.
Value MakeValue(Input& in) {
  switch (in.Byte() % 6) {
    case 0: return Value::Null();
    case 1: return Value::Bool(in.Byte() & 1);
    case 2: return Value::Int(in.Int() % 1000);
    case 3: {
      int64_t bits = in.Int();
      double d;
      static_assert(sizeof d == sizeof bits);
      std::memcpy(&d, &bits, sizeof d);
      return Value::Double(d);
    }
    case 4: return Value::String(std::string(in.Byte() % 5, 'a' + in.Byte() % 26));
    default: return Value::BytesValue(std::string(in.Byte() % 4, static_cast<char>(in.Byte())));
  }
}

// "l" is where list ops mostly go; the scalar ops reach it too, and list ops
// sometimes go to the scalar fields, so each kind meets the other's values.
constexpr const char* kFields[] = {"f", "g", "h", "l"};

// What a run knows of list elements, per list (collection, key, field): every
// id it inserted or moved an element to (returned by the list API or made up
// for a raw op), kept even if the commit failed or the element was removed
// since. Per list, so picked ids mostly name elements of the list at hand.
struct ListIds {
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<ElementId>> given;
  uint64_t next_made_up = 1;
  ElementId MadeUp() { return ElementId{1000 + next_made_up++, 9}; }
};

// An id given for this list (if any), else a made-up one: counter 0 (refused
// by validation), a small counter (may collide with a real id) or a fresh one.
ElementId PickId(Input& in, const std::vector<ElementId>& known, ListIds& ids) {
  const uint8_t b = in.Byte();
  if (b % 4 != 0 && !known.empty()) return known[in.Byte() % known.size()];
  switch (b % 3) {
    case 0:
      return ElementId{in.Byte() % 4u, in.Byte() % 3u};
    case 1:
      return ElementId{in.Byte() % 8u + 1, 1};
    default:
      return ids.MadeUp();
  }
}

std::optional<ElementId> PickAnchor(Input& in, const std::vector<ElementId>& known, ListIds& ids) {
  if (in.Byte() % 3 == 0) return std::nullopt;  // the head
  return PickId(in, known, ids);
}

// One list op on c/k.f, through the checked API or as a raw op. Returns the
// write's status; only not-found and invalid-argument may come back.
Status WriteListOp(Input& in, journaldb::Transaction& t, const std::string& c, const std::string& k,
                   const std::string& f, ListIds& ids) {
  std::vector<ElementId>& known = ids.given[{c, k, f}];
  const uint8_t kind = in.Byte();
  if (kind & 0x10) {  // raw, unchecked until commit
    switch (kind % 4) {
      case 0: {
        // A new id usually; sometimes one the list may hold already.
        ElementId id = in.Byte() % 4 == 0 ? PickId(in, known, ids) : ids.MadeUp();
        auto after = PickAnchor(in, known, ids);
        known.push_back(id);
        return t.Write(Operation::ListInsert(c, k, f, after, id, MakeValue(in)));
      }
      case 1:
        return t.Write(Operation::ListRemove(c, k, f, PickId(in, known, ids)));
      case 2:
        return t.Write(Operation::ListSet(c, k, f, PickId(in, known, ids), MakeValue(in)));
      default: {
        ElementId element = PickId(in, known, ids);
        auto after = PickAnchor(in, known, ids);
        // A fresh moved_to usually; a taken one makes the move a no-op.
        ElementId moved_to = in.Byte() % 4 == 0 ? PickId(in, known, ids) : ids.MadeUp();
        known.push_back(moved_to);
        return t.Write(Operation::ListMove(c, k, f, element, after, moved_to));
      }
    }
  }
  switch (kind % 4) {
    case 0: {
      auto after = PickAnchor(in, known, ids);
      auto id = t.ListInsert(c, k, f, after, MakeValue(in));
      if (id.ok()) known.push_back(*id);
      return id.status();
    }
    case 1:
      return t.ListRemove(c, k, f, PickId(in, known, ids));
    case 2:
      return t.ListSet(c, k, f, PickId(in, known, ids), MakeValue(in));
    default: {
      ElementId element = PickId(in, known, ids);
      auto moved = t.ListMove(c, k, f, element, PickAnchor(in, known, ids));
      if (moved.ok()) known.push_back(*moved);
      return moved.status();
    }
  }
}

// Writes one op to `t`: a scalar op (must be accepted) or a list op.
void WriteOp(Input& in, journaldb::Transaction& t, const std::string (&collections)[2],
             ListIds& ids) {
  static const char* kKeys[] = {"k1", "k2", "k3"};
  const std::string& c = collections[in.Byte() % 2];
  std::string k = in.Byte() % 4 == 3 ? std::string("k\0z", 3) : kKeys[in.Byte() % 3];
  std::string f = kFields[in.Byte() % 4];
  Status s;
  switch (in.Byte() % 8) {
    case 0: {
      journaldb::FieldMap fields;
      int n = in.Byte() % 3;
      for (int i = 0; i < n; ++i) fields[kFields[in.Byte() % 4]] = MakeValue(in);
      s = t.Write(Operation::Upsert(c, k, std::move(fields)));
      break;
    }
    case 1:
      s = t.Write(Operation::EraseField(c, k, f));
      break;
    case 2:
      s = t.Write(Operation::EraseObject(c, k));
      break;
    case 3:
      s = t.Write(Operation::Increment(c, k, f, in.Int() % 100));
      break;
    default: {
      if (in.Byte() % 4 != 0) f = "l";
      s = WriteListOp(in, t, c, k, f, ids);
      if (!s.ok() && !s.IsNotFound() && !s.IsInvalidArgument()) Fail("list write: " + s.ToString());
      return;
    }
  }
  if (!s.ok()) Fail("write: " + s.ToString());
}

std::unique_ptr<Database> Open(const std::string& path, rocksdb::Env* env) {
  journaldb::Options options;
  options.memory_budget_bytes = journaldb::kMinMemoryBudgetBytes;
  auto db = journaldb::OpenWithEnv(path, options, env);
  if (!db.ok()) Fail("open: " + db.status().ToString());
  return std::move(db).value();
}

// The highest lsn assigned, from the cursors only: Info() would count every
// key of the shared database.
journaldb::Lsn LastLsn(const Database& db) {
  auto info = journaldb::GetSyncStatus(db);
  if (!info.ok()) Fail("sync status: " + info.status().ToString());
  return info->last_lsn;
}

void VerifyAll(const Database& db) {
  auto report = db.Verify();
  if (!report.ok()) Fail("verify: " + report.status().ToString());
  if (!report->ok()) Fail("verify found: " + report->problems.front());
}

// What the fold keeps true of every list it makes: ids non-zero and unique,
// values on present elements only, forwarding only from a tombstone and
// only to an id the list holds (a move places the element under it).
void CheckList(const journaldb::List& list, const std::string& where) {
  std::set<ElementId> ids;
  for (const journaldb::ListElement& e : list.elements)
    if (e.id.counter == 0 || !ids.insert(e.id).second)
      Fail(where + ": zero or repeated element id " + e.id.ToString());
  for (const journaldb::ListElement& e : list.elements) {
    if (e.removed && !e.value.is_null()) Fail(where + ": a tombstone with a value");
    if (e.moved_to && (!e.removed || !ids.count(*e.moved_to)))
      Fail(where + ": element " + e.id.ToString() + " forwards to " + e.moved_to->ToString() +
           " which is not in the list, or it is not a tombstone");
  }
}

// The run's entries, folded over an empty state, must equal the run's
// collections as the read API returns them. Returns the lsn after the last
// entry.
journaldb::Lsn CheckRun(const Database& db, journaldb::Lsn first,
                        const std::string (&collections)[2]) {
  journaldb::fold::MemoryState folded;
  journaldb::Lsn expected = first;
  auto r = db.ReadJournal(first);
  for (; r.Valid(); r.Next()) {
    if (r.entry().lsn != expected++) Fail("lsn gap");
    if (auto s = folded.ApplyEntry(r.entry()); !s.ok()) Fail("fold: " + s.ToString());
  }
  if (!r.status().ok()) Fail("journal: " + r.status().ToString());
  size_t seen = 0;
  for (const std::string& c : collections) {
    auto it = db.Scan(c);
    for (; it.Valid(); it.Next(), ++seen) {
      auto f = folded.objects().find({c, it.object().key});
      if (f == folded.objects().end() || f->second != it.object().fields)
        Fail("state differs from the fold for key " + it.object().key);
    }
    if (!it.status().ok()) Fail("scan: " + it.status().ToString());
  }
  if (seen != folded.objects().size()) Fail("object count differs from the fold");
  for (const auto& [id, fields] : folded.objects())
    for (const auto& [name, value] : fields)
      if (value.type() == journaldb::ValueType::kList) CheckList(value.as_list(), name);
  return expected;
}

// The database's RocksDB files are in memory, but the engine keeps its
// directory and creation marker on disk: each process makes a directory of
// its own (parallel runs, -jobs and -fork, would otherwise see each other's
// marker, and a user who may not write / could not run the target at all),
// removed at a normal exit (an abort, a deadly signal or libFuzzer's _Exit
// on a timeout or SIGUSR1 leaves it: an empty directory).
std::string private_dir;

const std::string& DatabasePath() {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string dir =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/op_sequence_fuzzer-XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) Fail("mkdtemp " + dir + ": " + std::strerror(errno));
    private_dir = dir;
    std::atexit([] {
      boost::system::error_code ignored;
      boost::filesystem::remove_all(private_dir, ignored);
    });
    return dir + "/db";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static rocksdb::Env* env = rocksdb::NewMemEnv(rocksdb::Env::Default());
  static const std::string& path = DatabasePath();
  // Deliberately never destroyed: at exit RocksDB's own statics may already
  // be gone, and closing then would crash.
  static std::unique_ptr<Database>& db = *new std::unique_ptr<Database>();
  static int run = 0;
  // The next run's first lsn: read when the database opens, then carried
  // from run to run (CheckRun reads the journal to its end).
  static journaldb::Lsn next = 0;
  if (!db) {
    db = Open(path, env);
    next = LastLsn(*db) + 1;
  }
  const std::string collections[2] = {"r" + std::to_string(run) + "a",
                                      "r" + std::to_string(run) + "b"};
  ++run;
  const journaldb::Lsn first = next;
  journaldb::Lsn last = first - 1;  // the last lsn a commit returned

  Input in(data, size);
  ListIds ids;
  // Only the first marker counts, honoured or not, so the bytes after it
  // mean the same whether the input may reopen or not.
  const bool may_reopen = journaldb::fuzz::MayReopen(data, size);
  bool marked = false;
  for (int txn = 0; txn < 32 && !in.empty(); ++txn) {
    if (!marked && in.Byte() == 0xFF && in.Byte() == 0xFF) {  // reopen once, mid-sequence
      marked = true;
      if (may_reopen) {
        db.reset();
        db = Open(path, env);
        if (LastLsn(*db) != last) Fail("the reopened database lost or invented entries");
      }
    }
    journaldb::Transaction t = db->BeginTransaction();
    int ops = 1 + in.Byte() % 4;
    for (int i = 0; i < ops; ++i) WriteOp(in, t, collections, ids);
    if (t.ops().empty()) continue;  // every list write was refused
    auto lsn = t.Commit();
    if (lsn.ok()) {
      last = *lsn;
    } else {
      if (!lsn.status().IsInvalidArgument()) Fail("commit: " + lsn.status().ToString());
      t.Rollback();
    }
  }
  next = CheckRun(*db, first, collections);
  if (next != last + 1) Fail("the journal does not end at the last commit's lsn");
  if (run % kRunsPerDatabase == 0) {
    VerifyAll(*db);
    // Start over so the shared database stays small.
    db.reset();
    rocksdb::Options o;
    o.env = env;
    if (!rocksdb::DestroyDB(path, o).ok()) Fail("destroy");
  }
  return 0;
}
