#include "convergence_actions.h"

#include <random>

#include "journaldb/engine/sync/connection.h"
#include "journaldb/engine/sync/integrator.h"
#include "journaldb/sync.h"
#include "sync_helpers.h"

namespace journaldb::testing {

rc::Gen<ClientAction> GenClientAction() {
  return rc::gen::weightedElement<ClientAction>({{5, ClientAction::kCommit},
                                                 {2, ClientAction::kSync},
                                                 {1, ClientAction::kUploadOnly},
                                                 {1, ClientAction::kDownloadOnly},
                                                 {1, ClientAction::kUploadAndDrop}});
}

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

void RunClientAction(Database& db, ClientAction action, uint32_t seed,
                     const std::string& address) {
  SyncOptions options = SyncTo(address);
  switch (action) {
    case ClientAction::kCommit: {
      Transaction t = db.BeginTransaction();
      for (Operation& op : RandomOps(seed)) RC_ASSERT(t.Write(std::move(op)).ok());
      // An increment of a string field fails; the transaction is dropped.
      Result<Lsn> lsn = t.Commit();
      RC_ASSERT(lsn.ok() || lsn.status().IsInvalidArgument());
      break;
    }
    case ClientAction::kSync: {
      Result<SyncReport> r = SyncOnce(db, options);
      RC_ASSERT(r.ok());
      break;
    }
    case ClientAction::kUploadOnly: {
      auto c = sync::Connection::Open(db, options);
      RC_ASSERT(c.ok());
      RC_ASSERT((*c)->UploadAll().ok());
      break;
    }
    case ClientAction::kUploadAndDrop: {
      Result<sync::LocalCursors> cursors = sync::Integrator(db).ReadCursors();
      RC_ASSERT(cursors.ok());
      if (cursors->client_id == 0) break;  // never synced: nothing to drop
      auto entries = sync::Integrator(db).ReadUnuploaded(cursors->upload_cursor, 1u << 20);
      RC_ASSERT(entries.ok());
      RawClient raw(address);
      wire::Hello hello;
      hello.client_id = cursors->client_id;
      hello.epoch = cursors->epoch;
      hello.download_cursor = cursors->download_cursor;
      hello.upload_cursor = cursors->upload_cursor;
      hello.client_secret = cursors->client_secret;
      RC_ASSERT(raw.Send(hello).ok());
      // Admitted (a refused hello would make this action upload nothing).
      Result<wire::Message> reply = raw.Receive();
      RC_ASSERT(reply.ok());
      RC_ASSERT(std::holds_alternative<wire::HelloOk>(*reply));
      RC_ASSERT(raw.Send(wire::Upload{cursors->client_id, std::move(entries).value()}).ok());
      break;  // closes without reading the ack
    }
    case ClientAction::kDownloadOnly: {
      auto c = sync::Connection::Open(db, options);
      RC_ASSERT(c.ok());
      bool bootstrapped = false;
      RC_ASSERT((*c)->BootstrapIfNeeded(&bootstrapped).ok());
      bool caught_up = false;
      RC_ASSERT((*c)->DownloadOnce(0, &caught_up).ok());
      break;
    }
  }
}

std::vector<ClientStep> GenClientSteps(int clients) {
  auto steps = *rc::gen::container<std::vector<ClientStep>>(rc::gen::construct<ClientStep>(
      GenClientAction(), rc::gen::inRange(0, clients), rc::gen::arbitrary<uint32_t>()));
  RC_PRE(steps.size() <= 40);
  return steps;
}

StateDump SyncAllAndExpectServerState(const std::vector<std::unique_ptr<Database>>& dbs,
                                      ServerProcess& server, const std::string& server_data) {
  for (int round = 0; round < 2; ++round)
    for (const auto& db : dbs) RC_ASSERT(SyncOnce(*db, SyncTo(server.address())).ok());
  RC_ASSERT(server.Terminate() == 0);
  StateDump expected = DumpServer(server_data);
  for (const auto& db : dbs) {
    RC_ASSERT(DumpClient(*db) == expected);
    RC_ASSERT(VerifyProblems(*db).empty());
  }
  return expected;
}

std::vector<std::unique_ptr<Database>> OpenClients(const TempDir& dir, int count) {
  std::vector<std::unique_ptr<Database>> dbs;
  for (int i = 0; i < count; ++i) {
    auto db = Database::Open(dir.Sub("client" + std::to_string(i)), {});
    RC_ASSERT(db.ok());
    dbs.push_back(std::move(db).value());
  }
  return dbs;
}

ServerAndClients StartServerAndClients(const TempDir& dir, int clients) {
  ServerAndClients out;
  std::string error;
  out.server = ServerProcess::Start(dir.Sub("server"), &error);
  if (out.server == nullptr) RC_FAIL("start journal-server: " + error);
  out.dbs = OpenClients(dir, clients);
  return out;
}

std::string VerifyProblems(const Database& db) {
  Result<VerifyReport> v = db.Verify();
  if (!v.ok()) return v.status().ToString();
  std::string out;
  for (const auto& p : v->problems) out += p + "\n";
  return out;
}

}  // namespace journaldb::testing
