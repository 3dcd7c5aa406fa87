// A sequence of transactions decoded from the input is committed to a real
// database (RocksDB over an in-memory Env), with a reopen in the middle where
// the input holds two 0xFF bytes in a row before a transaction. After the
// sequence an independent fold of the run's journal entries must equal what
// the read API returns for the run's collections, and every kRunsPerDatabase
// runs Database::Verify() must find the whole state equal to the fold of the
// whole journal. Commits may fail only with invalid-argument (an
// increment of a non-int64 field), and then must have written nothing.
//
// Runs share one database and each run writes to collections of its own,
// named after the run: opening a database (RocksDB writes and re-parses its
// OPTIONS file, allocates memtables) takes about 300 ms under ASan against
// 1 to 10 ms for a whole run, so opens are rare: a reopen needs a two-byte
// marker (a one-byte one made a third of all runs reopen: 11 runs/s), and a
// fresh database comes every kRunsPerDatabase runs, after the full Verify. Opening is
// still the dearest step (a reopen mid-run, a fresh database every 64 runs),
// so the database gets the smallest memory budget: small memtables are
// quick to allocate and free, which under ASan is most of an open's cost.
#include <rocksdb/db.h>
#include <rocksdb/env.h>

#include <cstdint>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "journaldb/engine/open_with_env.h"
#include "journaldb/journal/fold.h"
#include "journaldb/sync.h"
#include "journaldb/sync.h"

namespace {

constexpr int kRunsPerDatabase = 512;

using journaldb::Database;
using journaldb::Operation;
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

Operation MakeOp(Input& in, const std::string (&collections)[2]) {
  static const char* kKeys[] = {"k1", "k2", "k3"};
  static const char* kFields[] = {"f", "g", "h"};
  const std::string& c = collections[in.Byte() % 2];
  std::string k = in.Byte() % 4 == 3 ? std::string("k\0z", 3) : kKeys[in.Byte() % 3];
  std::string f = kFields[in.Byte() % 3];
  switch (in.Byte() % 4) {
    case 0: {
      journaldb::FieldMap fields;
      int n = in.Byte() % 3;
      for (int i = 0; i < n; ++i) fields[kFields[in.Byte() % 3]] = MakeValue(in);
      return Operation::Upsert(c, k, std::move(fields));
    }
    case 1: return Operation::EraseField(c, k, f);
    case 2: return Operation::EraseObject(c, k);
    default: return Operation::Increment(c, k, f, in.Int() % 100);
  }
}

std::unique_ptr<Database> Open(const std::string& path, rocksdb::Env* env) {
  journaldb::Options options;
  options.memory_budget_bytes = journaldb::kMinMemoryBudgetBytes;
  auto db = journaldb::OpenWithEnv(path, options, env);
  if (!db.ok()) Fail("open: " + db.status().ToString());
  return std::move(db).value();
}

void VerifyAll(const Database& db) {
  auto report = db.Verify();
  if (!report.ok()) Fail("verify: " + report.status().ToString());
  if (!report->ok()) Fail("verify found: " + report->problems.front());
}

// The run's entries, folded over an empty state, must equal the run's
// collections as the read API returns them.
void CheckRun(const Database& db, journaldb::Lsn first, const std::string (&collections)[2]) {
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
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static rocksdb::Env* env = rocksdb::NewMemEnv(rocksdb::Env::Default());
  static const std::string path = "/fuzz/db";
  // Deliberately never destroyed: at exit RocksDB's own statics may already
  // be gone, and closing then would crash.
  static std::unique_ptr<Database>& db = *new std::unique_ptr<Database>();
  static int run = 0;
  if (!db) db = Open(path, env);
  const std::string collections[2] = {"r" + std::to_string(run) + "a",
                                      "r" + std::to_string(run) + "b"};
  ++run;
  // The cursors only: Info() would count every key of the shared database.
  auto info = journaldb::GetSyncStatus(*db);
  if (!info.ok()) Fail("sync status: " + info.status().ToString());
  const journaldb::Lsn first = info->last_lsn + 1;

  Input in(data, size);
  bool reopened = false;
  for (int txn = 0; txn < 32 && !in.empty(); ++txn) {
    if (!reopened && in.Byte() == 0xFF && in.Byte() == 0xFF) {  // reopen once, mid-sequence
      db.reset();
      db = Open(path, env);
      reopened = true;
    }
    journaldb::Transaction t = db->BeginTransaction();
    int ops = 1 + in.Byte() % 4;
    for (int i = 0; i < ops; ++i)
      if (auto s = t.Write(MakeOp(in, collections)); !s.ok()) Fail("write: " + s.ToString());
    auto lsn = t.Commit();
    if (!lsn.ok()) {
      if (!lsn.status().IsInvalidArgument()) Fail("commit: " + lsn.status().ToString());
      t.Rollback();
    }
  }
  CheckRun(*db, first, collections);
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
