// Guarantee 6 as a property: 2-5 clients commit random transactions and
// sync, upload or download in random interleavings (every connection ends
// where the action ends: a disconnect); once everyone syncs, every client's
// state equals the server's, and each client's state equals its synced
// state folded with its pending entries (Verify).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <random>

#include "journaldb/database.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/temp_dir.h"
#include "journaldb/engine/sync/connection.h"
#include "journaldb/engine/sync/integrator.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

// kUploadAndDrop sends the unacknowledged entries and disconnects without
// reading the ack: the server may or may not have stored them, and the next
// upload must neither lose nor double them.
enum class Kind { kCommit, kSync, kUploadOnly, kDownloadOnly, kUploadAndDrop };

struct Action {
  Kind kind;
  int client;
  uint32_t seed;
};

// A small key space so that clients collide often.
std::vector<Operation> RandomOps(uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<uint32_t>(n)); };
  std::vector<Operation> ops;
  int count = 1 + pick(3);
  for (int i = 0; i < count; ++i) {
    std::string key = "k" + std::to_string(pick(3));
    std::string field = "f" + std::to_string(pick(3));
    switch (pick(6)) {
      case 0:
      case 1: {
        FieldMap fields;
        fields[field] =
            pick(4) == 0 ? Value::String("s" + std::to_string(pick(5))) : Value::Int(pick(100));
        ops.push_back(Operation::Upsert("c", key, std::move(fields)));
        break;
      }
      case 2:
        ops.push_back(Operation::EraseField("c", key, field));
        break;
      case 3:
        ops.push_back(Operation::EraseObject("c", key));
        break;
      default:
        ops.push_back(Operation::Increment("c", key, field, pick(7) - 3));
        break;
    }
  }
  return ops;
}

void Run(Database& db, const Action& a, const std::string& address) {
  Database& client_db = db;
  SyncOptions options = testing::SyncTo(address);
  switch (a.kind) {
    case Kind::kCommit: {
      Transaction t = db.BeginTransaction();
      for (Operation& op : RandomOps(a.seed)) RC_ASSERT(t.Write(std::move(op)).ok());
      // An increment of a string field fails; the transaction is dropped.
      Result<Lsn> lsn = t.Commit();
      RC_ASSERT(lsn.ok() || lsn.status().IsInvalidArgument());
      break;
    }
    case Kind::kSync: {
      Result<SyncReport> r = SyncOnce(db, options);
      RC_ASSERT(r.ok());
      break;
    }
    case Kind::kUploadOnly: {
      auto c = sync::Connection::Open(client_db, options);
      RC_ASSERT(c.ok());
      RC_ASSERT((*c)->UploadAll().ok());
      break;
    }
    case Kind::kUploadAndDrop: {
      Result<sync::LocalCursors> cursors = sync::Integrator(client_db).ReadCursors();
      RC_ASSERT(cursors.ok());
      if (cursors->client_id == 0) break;  // never synced: nothing to drop
      auto entries = sync::Integrator(client_db).ReadUnuploaded(cursors->upload_cursor, 1u << 20);
      RC_ASSERT(entries.ok());
      testing::RawClient raw(address);
      wire::Hello hello;
      hello.client_id = cursors->client_id;
      hello.epoch = cursors->epoch;
      hello.download_cursor = cursors->download_cursor;
      hello.upload_cursor = cursors->upload_cursor;
      RC_ASSERT(raw.Send(hello).ok());
      RC_ASSERT(raw.Receive().ok());
      RC_ASSERT(raw.Send(wire::Upload{cursors->client_id, std::move(entries).value()}).ok());
      break;  // closes without reading the ack
    }
    case Kind::kDownloadOnly: {
      auto c = sync::Connection::Open(client_db, options);
      RC_ASSERT(c.ok());
      bool bootstrapped = false;
      RC_ASSERT((*c)->BootstrapIfNeeded(&bootstrapped).ok());
      bool caught_up = false;
      RC_ASSERT((*c)->DownloadOnce(0, &caught_up).ok());
      break;
    }
  }
}

std::string Problems(const Database& db) {
  Result<VerifyReport> v = db.Verify();
  if (!v.ok()) return v.status().ToString();
  std::string out;
  for (const auto& p : v->problems) out += p + "\n";
  return out;
}

RC_GTEST_PROP(SyncConvergence, AllClientsEqualServerAfterEveryoneSyncs, ()) {
  const int clients = *rc::gen::inRange(2, 6);
  const auto actions = *rc::gen::container<std::vector<Action>>(
      rc::gen::construct<Action>(rc::gen::weightedElement<Kind>({{5, Kind::kCommit},
                                                                 {2, Kind::kSync},
                                                                 {1, Kind::kUploadOnly},
                                                                 {1, Kind::kDownloadOnly},
                                                                 {1, Kind::kUploadAndDrop}}),
                                 rc::gen::inRange(0, clients), rc::gen::arbitrary<uint32_t>()));
  RC_PRE(actions.size() <= 40);

  testing::TempDir dir;
  std::string error;
  auto server = testing::ServerProcess::Start(dir.Sub("server"), &error);
  RC_ASSERT(server != nullptr);
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < clients; ++i) {
    auto db = Database::Open(dir.Sub("client" + std::to_string(i)), {});
    RC_ASSERT(db.ok());
    dbs.push_back(std::move(db).value());
  }
  for (const Action& a : actions) {
    Run(*dbs[static_cast<size_t>(a.client)], a, server->address());
    RC_ASSERT(Problems(*dbs[static_cast<size_t>(a.client)]).empty());
  }
  // Everyone uploads, then everyone downloads what the others uploaded.
  for (int round = 0; round < 2; ++round)
    for (auto& db : dbs) RC_ASSERT(SyncOnce(*db, testing::SyncTo(server->address())).ok());
  RC_ASSERT(server->Terminate() == 0);
  testing::StateDump expected = testing::DumpServer(dir.Sub("server"));
  for (auto& db : dbs) {
    RC_ASSERT(testing::DumpClient(*db) == expected);
    RC_ASSERT(Problems(*db).empty());
  }
}

}  // namespace
}  // namespace journaldb
