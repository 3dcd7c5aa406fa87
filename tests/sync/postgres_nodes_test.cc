// Server nodes on one PostgreSQL database (docs/server.md, "Scaling out on
// PostgreSQL"): real journal-server processes on a throwaway cluster
// (support/postgres_cluster.h), clients syncing through different nodes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "journaldb/client_reset_strategy.h"
#include "journaldb/database.h"
#include "journaldb/journal/codec.h"
#include "journaldb/server/admin.h"
#include "journaldb/sync.h"
#include "server_process.h"
#include "support/child_process.h"
#include "support/postgres_cluster.h"
#include "support/temp_dir.h"
#include "sync_helpers.h"

namespace journaldb {
namespace {

using testing::DumpClient;
using testing::DumpServer;
using testing::PostgresCluster;
using testing::RawClient;
using testing::ServerProcess;

constexpr auto kConverge = std::chrono::seconds(20);

class PostgresNodes : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    cluster_ = PostgresCluster::Shared(&error);
    ASSERT_NE(cluster_, nullptr) << error;
    location_.postgres = cluster_->NewDatabase(&error);
    ASSERT_FALSE(location_.postgres.empty()) << error;
    Result<std::string> init = server::InitPostgres(location_.postgres);
    ASSERT_TRUE(init.ok()) << init.status().ToString();
  }

  std::unique_ptr<ServerProcess> StartNode(const std::string& name,
                                           std::vector<std::string> extra_args = {}) {
    testing::ServerLaunch launch;
    launch.postgres = location_.postgres;
    launch.extra_args = std::move(extra_args);
    std::string error;
    auto node = ServerProcess::Start(dir_.Sub(name), launch, &error);
    EXPECT_TRUE(node) << error;
    return node;
  }

  std::unique_ptr<Database> OpenClient(const std::string& name) {
    auto db = Database::Open(dir_.Sub(name), Options());
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(db).value() : nullptr;
  }

  PostgresCluster* cluster_ = nullptr;
  testing::TempDir dir_;
  server::StorageLocation location_;
};

void Commit(Database& db, std::vector<Operation> ops) {
  Transaction t = db.BeginTransaction();
  for (Operation& op : ops) ASSERT_TRUE(t.Write(std::move(op)).ok());
  ASSERT_TRUE(t.Commit().ok());
}

Status Sync(Database& db, const std::string& address) {
  Result<SyncReport> r = SyncOnce(db, testing::SyncTo(address));
  return r.ok() ? Status::OK() : r.status();
}

TEST_F(PostgresNodes, ClientsOfTwoNodesConvergeOnOneGaplessHistory) {
  auto node_a = StartNode("node-a");
  auto node_b = StartNode("node-b");
  ASSERT_TRUE(node_a && node_b);
  auto a = OpenClient("a");
  auto b = OpenClient("b");
  auto c = OpenClient("c");  // only downloads, through node A
  ASSERT_TRUE(a && b && c);
  // Both upload at the same time through different nodes, several rounds:
  // their group commits contend for the lineage's counter row.
  constexpr int kRounds = 5;
  auto writer = [&](Database& db, const std::string& address, const std::string& who) {
    for (int i = 0; i < kRounds; ++i) {
      Commit(db, {Operation::Increment("c", "shared", "n", 1),
                  Operation::Upsert("c", who + std::to_string(i), {{"i", Value::Int(i)}})});
      Status s = Sync(db, address);
      EXPECT_TRUE(s.ok()) << who << ": " << s.ToString();
    }
  };
  std::thread ta(writer, std::ref(*a), node_a->address(), "a");
  std::thread tb(writer, std::ref(*b), node_b->address(), "b");
  ta.join();
  tb.join();
  // A node learns of the other's commits by notification: every client
  // sees everything within a bounded time.
  testing::StateDump server = DumpServer(location_);
  auto deadline = std::chrono::steady_clock::now() + kConverge;
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(Sync(*a, node_a->address()).ok());
    ASSERT_TRUE(Sync(*b, node_b->address()).ok());
    ASSERT_TRUE(Sync(*c, node_a->address()).ok());
    if (DumpClient(*a) == server && DumpClient(*b) == server && DumpClient(*c) == server) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(DumpClient(*a), server);
  EXPECT_EQ(DumpClient(*b), server);
  EXPECT_EQ(DumpClient(*c), server);
  EXPECT_EQ(server.size(), 1u + 2 * kRounds);
  EXPECT_EQ((server[{"c", "shared"}].at("n")), Value::Int(2 * kRounds));
  std::vector<wire::Changeset> history = testing::ServerHistory(location_);
  ASSERT_EQ(history.size(), size_t{2 * kRounds});
  std::set<std::pair<uint64_t, Lsn>> origins;
  for (size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(history[i].server_version, i + 1);
    origins.insert({history[i].origin_client, history[i].origin_lsn});
  }
  EXPECT_EQ(origins.size(), history.size());
}

wire::UploadEntry Increment(Lsn lsn) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops.push_back(Operation::Increment("c", "counter", "n", 1));
  return {lsn, codec::EncodeEntry(e), {}};
}

TEST_F(PostgresNodes, ReuploadToAnotherNodeAfterANodeDiedIsAckedNotApplied) {
  auto node_a = StartNode("node-a");
  auto node_b = StartNode("node-b");
  ASSERT_TRUE(node_a && node_b);
  uint64_t client = 0;
  std::string secret;
  std::vector<wire::UploadAck> acks;
  {
    RawClient raw(node_a->address());
    Result<wire::HelloOk> ok = raw.Hello();
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    client = ok->client_id;
    secret = ok->client_secret;
    ASSERT_TRUE(raw.Send(wire::Upload{client, {Increment(1), Increment(2)}}).ok());
    Result<wire::Message> m = raw.Receive();
    ASSERT_TRUE(m.ok() && std::holds_alternative<wire::UploadAck>(*m));
    acks.push_back(std::get<wire::UploadAck>(*m));
  }
  // The node dies; the client never saw (it thinks) the ack and goes to B.
  node_a->Kill();
  RawClient raw(node_b->address());
  Result<wire::HelloOk> ok = raw.Hello(client, "", secret);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_TRUE(raw.Send(wire::Upload{client, {Increment(1), Increment(2), Increment(3)}}).ok());
  Result<wire::Message> m = raw.Receive();
  ASSERT_TRUE(m.ok() && std::holds_alternative<wire::UploadAck>(*m));
  const wire::UploadAck& again = std::get<wire::UploadAck>(*m);
  ASSERT_EQ(again.acks.size(), 3u);
  EXPECT_EQ(again.acks[0].server_version, acks[0].acks[0].server_version);
  EXPECT_EQ(again.acks[1].server_version, acks[0].acks[1].server_version);
  EXPECT_EQ(again.acks[2].server_version, 3u);
  EXPECT_EQ(testing::ServerHistory(location_).size(), 3u);
  EXPECT_EQ((DumpServer(location_)[{"c", "counter"}].at("n")), Value::Int(3));
}

// Uploaders keep uploading through three nodes while nodes are SIGKILLed
// mid group commit and restarted, many times. After everyone re-uploads
// everything once more: no acknowledged upload is lost or moved, versions
// have no gap, and nothing is stored twice.
TEST_F(PostgresNodes, NodesKilledMidGroupCommitLoseNoAckedUploadAndLeaveNoGap) {
  constexpr int kNodeCount = 3;
  constexpr int kUploaders = 4;
  constexpr int kKills = 12;
  std::vector<std::unique_ptr<ServerProcess>> nodes;
  std::vector<std::string> addresses(kNodeCount);
  std::mutex mu;  // guards addresses and nodes
  for (int n = 0; n < kNodeCount; ++n) {
    nodes.push_back(StartNode("node" + std::to_string(n)));
    ASSERT_TRUE(nodes.back());
    addresses[static_cast<size_t>(n)] = nodes.back()->address();
  }
  struct Uploader {
    uint64_t client = 0;
    std::string secret;
    Lsn next = 1;                   // the next lsn to write
    std::map<Lsn, uint64_t> acked;  // lsn -> version, first ack
    int unanswered = 0;             // uploads sent whose node died before the ack
    std::vector<std::string> violations;
  };
  std::vector<Uploader> uploaders(kUploaders);
  for (Uploader& u : uploaders) {
    RawClient raw(addresses[0]);
    Result<wire::HelloOk> ok = raw.Hello();
    ASSERT_TRUE(ok.ok()) << ok.status().ToString();
    u.client = ok->client_id;
    u.secret = ok->client_secret;
  }
  // Records an ack; the same lsn must always get the same version.
  auto record = [](Uploader& u, const wire::UploadAck& ack) {
    for (const wire::Ack& a : ack.acks) {
      auto [it, fresh] = u.acked.emplace(a.lsn, a.server_version);
      if (!fresh && it->second != a.server_version)
        u.violations.push_back(fmt::format("client {} lsn {} acked as version {} then {}",
                                           u.client, a.lsn, it->second, a.server_version));
    }
  };
  // One round: from the lowest unacknowledged lsn up to 3 new ones, through
  // `address`. Fails quietly when the node dies under it.
  auto upload_round = [&](Uploader& u, const std::string& address, Lsn new_entries) {
    std::optional<RawClient> raw = RawClient::TryConnect(address);
    if (!raw || !raw->Hello(u.client, "", u.secret).ok()) return;
    Lsn from = 1;
    while (u.acked.count(from) > 0) ++from;
    std::vector<wire::UploadEntry> entries;
    for (Lsn lsn = from; lsn < u.next + new_entries; ++lsn) entries.push_back(Increment(lsn));
    u.next += new_entries;
    if (entries.empty() || !raw->Send(wire::Upload{u.client, std::move(entries)}).ok()) return;
    Result<wire::Message> m = raw->Receive();
    if (m.ok() && std::holds_alternative<wire::UploadAck>(*m))
      record(u, std::get<wire::UploadAck>(*m));
    else
      ++u.unanswered;
  };
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kUploaders; ++i) {
    threads.emplace_back([&, i] {
      Uploader& u = uploaders[static_cast<size_t>(i)];
      for (int round = 0; !stop; ++round) {
        std::string address;
        {
          std::lock_guard<std::mutex> lock(mu);
          address = addresses[static_cast<size_t>((i + round) % kNodeCount)];
        }
        upload_round(u, address, 3);
      }
    });
  }
  std::mt19937 rng(20261204);
  for (int kill = 0; kill < kKills; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 150));
    const size_t n = rng() % kNodeCount;
    std::unique_ptr<ServerProcess> old;
    {
      std::lock_guard<std::mutex> lock(mu);
      old = std::move(nodes[n]);
    }
    old->Kill();  // while uploads are in its group commit, or about to be
    old.reset();
    auto fresh = StartNode("node" + std::to_string(n));
    ASSERT_TRUE(fresh);
    std::lock_guard<std::mutex> lock(mu);
    addresses[n] = fresh->address();
    nodes[n] = std::move(fresh);
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  // Everyone re-uploads everything it ever sent, through a live node, until
  // all of it is acknowledged.
  for (Uploader& u : uploaders) {
    for (int attempt = 0; attempt < 5 && u.acked.size() + 1 < u.next; ++attempt)
      upload_round(u, addresses[0], 0);
    ASSERT_EQ(u.acked.size() + 1, u.next) << "client " << u.client << " is not fully acked";
    // Once more from lsn 1: every ack is repeated with its first version.
    RawClient raw(addresses[1]);
    ASSERT_TRUE(raw.Hello(u.client, "", u.secret).ok());
    std::vector<wire::UploadEntry> all;
    for (Lsn lsn = 1; lsn < u.next; ++lsn) all.push_back(Increment(lsn));
    ASSERT_TRUE(raw.Send(wire::Upload{u.client, std::move(all)}).ok());
    Result<wire::Message> m = raw.Receive();
    ASSERT_TRUE(m.ok() && std::holds_alternative<wire::UploadAck>(*m));
    EXPECT_EQ(std::get<wire::UploadAck>(*m).acks.size() + 1, u.next);
    record(u, std::get<wire::UploadAck>(*m));
    EXPECT_TRUE(u.violations.empty()) << u.violations.front();
  }
  std::vector<wire::Changeset> history = testing::ServerHistory(location_);
  std::map<std::pair<uint64_t, Lsn>, uint64_t> stored;  // origin -> version
  for (size_t i = 0; i < history.size(); ++i) {
    ASSERT_EQ(history[i].server_version, i + 1) << "a gap or a reordering in the history";
    EXPECT_TRUE(
        stored.emplace(std::pair{history[i].origin_client, history[i].origin_lsn}, i + 1).second)
        << "client " << history[i].origin_client << " lsn " << history[i].origin_lsn
        << " stored twice";
  }
  size_t total = 0;
  int unanswered = 0;
  for (const Uploader& u : uploaders) {
    total += u.acked.size();
    unanswered += u.unanswered;
    for (const auto& [lsn, version] : u.acked) {
      auto it = stored.find({u.client, lsn});
      ASSERT_NE(it, stored.end()) << "client " << u.client << " lsn " << lsn << " acked, not stored";
      EXPECT_EQ(it->second, version) << "client " << u.client << " lsn " << lsn;
    }
  }
  EXPECT_EQ(history.size(), total);
  // How hard the kills hit: uploads whose node died before its ack.
  RecordProperty("unanswered_uploads", unanswered);
  RecordProperty("stored_entries", static_cast<int>(total));
  EXPECT_EQ((DumpServer(location_)[{"c", "counter"}].at("n")), Value::Int(static_cast<int64_t>(total)));
}

// The database ends the backends of both nodes' LISTEN connections (as a
// failover or an idle-session reaper would): each node connects its
// listener again, and a client waiting on node B for new versions learns of
// one committed through node A, by the refresh after the reconnect or by
// the notification after it. Twice, so the second cut meets the listener
// the first one made.
TEST_F(PostgresNodes, AWaitingClientLearnsOfAnotherNodesCommitAfterItsListenerWasCut) {
  auto node_a = StartNode("node-a");
  auto node_b = StartNode("node-b");
  ASSERT_TRUE(node_a && node_b);
  const std::string listeners =
      "FROM pg_stat_activity WHERE datname = current_database() "
      "AND application_name = 'journal-server listener'";
  auto count_listeners = [&] {
    std::string error;
    std::optional<std::string> n =
        testing::RunSql(location_.postgres, "SELECT count(*) " + listeners, &error);
    EXPECT_TRUE(n) << error;
    return n.value_or("");
  };
  RawClient writer(node_a->address());
  Result<wire::HelloOk> w = writer.Hello();
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  RawClient waiter(node_b->address());
  ASSERT_TRUE(waiter.Hello().ok());
  for (uint64_t version = 1; version <= 2; ++version) {
    // Both listeners are connected (at the nodes' start, or again after the
    // last cut).
    auto deadline = std::chrono::steady_clock::now() + kConverge;
    while (count_listeners() != "2" && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(count_listeners(), "2");
    std::string error;
    std::optional<std::string> cut = testing::RunSql(
        location_.postgres, "SELECT count(pg_terminate_backend(pid)) " + listeners, &error);
    ASSERT_EQ(cut.value_or(error), "2");
    // The wait (up to the server's 5 s cap) has begun when the commit comes.
    ASSERT_TRUE(waiter.Send(wire::DownloadRequest{version - 1, 5000}).ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(writer.Send(wire::Upload{w->client_id, {Increment(version)}}).ok());
    Result<wire::Message> ack = writer.Receive();
    ASSERT_TRUE(ack.ok() && std::holds_alternative<wire::UploadAck>(*ack));
    Result<wire::Message> m = waiter.Receive();
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    ASSERT_TRUE(std::holds_alternative<wire::Changesets>(*m));
    const wire::Changesets& got = std::get<wire::Changesets>(*m);
    ASSERT_EQ(got.changesets.size(), 1u) << "node B did not learn of version " << version;
    EXPECT_EQ(got.changesets[0].server_version, version);
  }
}

TEST_F(PostgresNodes, NodeRefusesHellosRetryablyWhileTheDatabaseIsDownAndRecovers) {
  auto node = StartNode("node");
  ASSERT_TRUE(node);
  auto db = OpenClient("a");
  ASSERT_TRUE(db);
  Commit(*db, {Operation::Upsert("c", "before", {{"n", Value::Int(1)}})});
  ASSERT_TRUE(Sync(*db, node->address()).ok());
  std::string error;
  ASSERT_TRUE(cluster_->Stop(&error)) << error;
  {
    RawClient raw(node->address());
    ASSERT_TRUE(raw.Send(wire::Hello{}).ok());
    EXPECT_TRUE(raw.ExpectErrorThenClose(wire::ErrorCode::kServerError));
  }
  {
    // A hello that cannot be admitted is refused for what it is, without a
    // read of the store (before, the read came first: ServerError).
    RawClient raw(node->address());
    wire::Hello newer;
    newer.protocol_version = wire::kProtocolVersion + 1;
    ASSERT_TRUE(raw.Send(newer).ok());
    EXPECT_TRUE(raw.ExpectErrorThenClose(wire::ErrorCode::kUnsupportedVersion));
  }
  Commit(*db, {Operation::Upsert("c", "during", {{"n", Value::Int(2)}})});
  Status down = Sync(*db, node->address());
  EXPECT_TRUE(down.IsIOError()) << down.ToString();  // retryable, not a reset
  ASSERT_TRUE(cluster_->Start(&error)) << error;
  // The node reconnects on its own; the first hellos may still meet a
  // connection that died with the old server process.
  Status up = Status::IOError("not synced");
  auto deadline = std::chrono::steady_clock::now() + kConverge;
  while (!up.ok() && std::chrono::steady_clock::now() < deadline) {
    up = Sync(*db, node->address());
    if (!up.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(up.ok()) << up.ToString();
  testing::StateDump server = DumpServer(location_);
  EXPECT_EQ(server.size(), 2u);
  EXPECT_EQ(DumpClient(*db), server);
}

TEST_F(PostgresNodes, OperatorCommandsRunOnlineBesideTheNodes) {
  auto node = StartNode("node");
  ASSERT_TRUE(node);
  auto a = OpenClient("a");
  auto b = OpenClient("b");
  ASSERT_TRUE(a && b);
  for (Database* db : {a.get(), b.get()}) {
    Commit(*db, {Operation::Upsert("c", "k", {{"n", Value::Int(1)}})});
    ASSERT_TRUE(Sync(*db, node->address()).ok());
  }
  Result<SyncStatus> status = GetSyncStatus(*a);
  ASSERT_TRUE(status.ok());
  std::string out;
  // The conninfo from the environment, as an operator's script would pass it.
  ASSERT_EQ(testing::RunServerCommand({"reset-client", std::to_string(status->client_id)}, &out,
                                      {"JOURNALDB_SERVER_POSTGRES=" + location_.postgres}),
            0)
      << out;
  EXPECT_TRUE(Sync(*a, node->address()).IsClientResetRequired());
  EXPECT_TRUE(Sync(*b, node->address()).ok());
  ASSERT_EQ(
      testing::RunServerCommand({"trim", "--postgres", location_.postgres, "--below", "3"}, &out),
      0)
      << out;
  EXPECT_NE(out.find("trimmed 2 changesets; horizon 2"), std::string::npos) << out;
  ASSERT_EQ(testing::RunServerCommand({"new-epoch", "--postgres", location_.postgres}, &out), 0)
      << out;
  Status after = Sync(*b, node->address());
  EXPECT_TRUE(after.IsClientResetRequired()) << after.ToString();
  // The connection string from a file (a password stays out of `ps`).
  const std::string file = dir_.Sub("conninfo");
  std::ofstream(file) << location_.postgres << "\n";
  EXPECT_EQ(testing::RunServerCommand({"reset-client", "--postgres-file", file, "999"}, &out), 1);
  EXPECT_NE(out.find("no client 999"), std::string::npos) << out;
  EXPECT_EQ(testing::RunServerCommand({"reset-client", "--postgres-file", dir_.Sub("missing"), "1"},
                                      &out),
            1);
  EXPECT_NE(out.find("cannot read it"), std::string::npos) << out;
}

// A client that registered through node A and stays on that connection,
// only downloading, keeps its registration although node B sweeps the same
// registry: node A marks it used in the database once the connection has
// lasted half the age. The sweep that removes a registration made later
// through node B (never used) leaves it, and it comes back through node B
// as the same client.
TEST_F(PostgresNodes, ARegistrationHeldOnOneNodesConnectionOutlivesTheOtherNodesSweeps) {
  const std::vector<std::string> expiry = {"--expire-unused-registrations-after", "4"};
  auto node_a = StartNode("node-a", expiry);
  auto node_b = StartNode("node-b", expiry);
  ASSERT_TRUE(node_a && node_b);
  Options options;
  options.sync = testing::SyncTo(node_a->address());
  auto held = Database::Open(dir_.Sub("held"), options);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_TRUE((*held)->sync_session()->wait_for_download(kConverge).ok());
  Result<SyncStatus> registered = GetSyncStatus(**held);
  ASSERT_TRUE(registered.ok() && registered->client_id != 0);
  {
    RawClient once(node_b->address());
    ASSERT_TRUE(once.Hello().ok());
  }
  auto read_log = [](const ServerProcess& node) {
    std::ifstream in(node.log_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  // The first sweep of either node that removes any: once's registration.
  const std::string removed = "expire registrations: removed ";
  std::string logs;
  for (int i = 0; i < 2000 && logs.find(removed) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    logs = read_log(*node_a) + read_log(*node_b);
  }
  ASSERT_NE(logs.find(removed), std::string::npos) << logs;
  EXPECT_NE(logs.find(removed + "1 registered"), std::string::npos) << logs;
  held->reset();
  auto again = OpenClient("held");
  ASSERT_TRUE(again);
  Result<SyncReport> r = SyncOnce(*again, testing::SyncTo(node_b->address()));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->reset);
  EXPECT_EQ(r->client_id, registered->client_id);
}

// As `journal-server restore` for a data directory: pg_dump, pg_restore into
// a new database, new-epoch; the write the lost lineage had acknowledged
// comes back through the client reset.
TEST_F(PostgresNodes, RestoreAndNewEpochBringAcknowledgedWritesBackThroughTheReset) {
  auto node = StartNode("node");
  ASSERT_TRUE(node);
  Options o;
  o.client_reset = RecoverUnsyncedChanges();
  auto opened = Database::Open(dir_.Sub("a"), o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Database& a = **opened;
  Commit(a, {Operation::Upsert("c", "kept", {{"n", Value::Int(1)}})});
  ASSERT_TRUE(Sync(a, node->address()).ok());
  testing::ProcessResult dump = testing::RunProcess(
      {cluster_->Program("pg_dump"), "-Fc", "-f", dir_.Sub("dump"), "-d", location_.postgres});
  ASSERT_EQ(dump.exit_code, 0) << dump.out << dump.err;
  Commit(a, {Operation::Upsert("c", "acked-then-lost", {{"n", Value::Int(2)}})});
  ASSERT_TRUE(Sync(a, node->address()).ok());
  node->Kill();
  std::string error;
  const std::string restored = cluster_->NewDatabase(&error);
  ASSERT_FALSE(restored.empty()) << error;
  testing::ProcessResult load =
      testing::RunProcess({cluster_->Program("pg_restore"), "-d", restored, dir_.Sub("dump")});
  ASSERT_EQ(load.exit_code, 0) << load.out << load.err;
  std::string out;
  ASSERT_EQ(
      testing::RunServerCommand(
          {"new-epoch", "--postgres", restored, "--replaced-postgres", location_.postgres}, &out),
      0)
      << out;
  location_.postgres = restored;
  auto again = StartNode("node-restored");
  ASSERT_TRUE(again);
  // The reset (epoch mismatch), its replay, and the replayed write's upload.
  testing::StateDump server;
  for (int i = 0; i < 5 && server.count({"c", "acked-then-lost"}) == 0; ++i) {
    Sync(a, again->address()).IgnoreError();
    server = DumpServer(location_);
  }
  EXPECT_EQ(server.size(), 2u);
  EXPECT_EQ(server.count({"c", "acked-then-lost"}), 1u);
  EXPECT_EQ(DumpClient(a), server);
}

}  // namespace
}  // namespace journaldb
