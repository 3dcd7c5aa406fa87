#include "postgres_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>

#include "../entry_digest.h"
#include "../group_commit.h"
#include "../random_epoch.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/wall_clock.h"
#include "journaldb/server/chain_hash.h"

namespace journaldb::server {

using pg::PgConnection;
using pg::PgParam;
using pg::PgRows;

namespace {

constexpr char kFormatTag[] = "journaldb-server/1";
constexpr char kChannel[] = "journaldb_versions";
// Connections kept for the server's threads; more wait for one.
constexpr int kMaxPooled = 8;
// Bootstraps in progress at once, each holding a connection of its own for
// up to its snapshot's idle timeout: any client with the token can start
// one, and without a bound they would use up the database's connections
// (PostgreSQL's default max_connections is 100) for every node.
constexpr int kMaxSnapshots = 8;
// Rows read per statement by a changesets reply or a bootstrap page: entries
// and objects are bounded (kMaxEntryBytes, kMaxObjectBytes), so this bounds
// the memory of one read.
constexpr int kRowsPerRead = 64;
// How often a node reads the lineage without being notified.
constexpr int kPollMs = 1000;
// The listener's connection as pg_stat_activity shows it (the others are
// "journal-server"), unless the conninfo names one.
constexpr char kListenerName[] = "journal-server listener";

// The schema; docs/server.md ("Scaling out on PostgreSQL") shows it too.
constexpr char kSchema[] = R"(
CREATE SCHEMA journaldb;
CREATE TABLE journaldb.lineage (
  id int PRIMARY KEY CHECK (id = 1),
  format text NOT NULL,
  epoch bigint NOT NULL,
  latest_version bigint NOT NULL,
  horizon bigint NOT NULL);
CREATE TABLE journaldb.client_ids (id int PRIMARY KEY CHECK (id = 1), next bigint NOT NULL);
CREATE TABLE journaldb.clients (
  client_id bigint PRIMARY KEY,
  highest_lsn bigint NOT NULL,
  reset boolean NOT NULL,
  secret_hash bytea,
  registered_at_us bigint NOT NULL DEFAULT 0,
  used boolean NOT NULL DEFAULT true);
CREATE TABLE journaldb.changesets (
  version bigint PRIMARY KEY,
  server_time_us bigint NOT NULL,
  record bytea NOT NULL);
CREATE TABLE journaldb.origins (
  client_id bigint NOT NULL,
  lsn bigint NOT NULL,
  version bigint NOT NULL,
  entry_hash bytea,
  PRIMARY KEY (client_id, lsn));
CREATE INDEX origins_without_hash ON journaldb.origins (version) WHERE entry_hash IS NULL;
CREATE UNIQUE INDEX clients_by_secret ON journaldb.clients (secret_hash);
CREATE TABLE journaldb.state (key bytea PRIMARY KEY, object bytea NOT NULL);
CREATE TABLE journaldb.forks (epoch bigint PRIMARY KEY, version bigint NOT NULL);
CREATE TABLE journaldb.chain (version bigint PRIMARY KEY, hash bytea NOT NULL);
INSERT INTO journaldb.client_ids VALUES (1, 1);
)";

const pg::PgTimeouts kPoolTimeouts{};
// A bootstrap's transaction stays open between the client's page requests.
const pg::PgTimeouts kSnapshotTimeouts{30000, 300000};

// A registry row (highest_lsn, reset, secret_hash, registered_at_us, used)
// starting at column `col`.
Result<ClientRecord> DecodeClientRow(const PgRows& rows, int row, int col) {
  ClientRecord r{rows.U64(row, col), rows.Bool(row, col + 1), std::nullopt};
  if (!rows.IsNull(row, col + 2)) {
    r.secret_hash = DigestFromBytes(rows.Bytes(row, col + 2));
    if (!r.secret_hash) return Status::Corruption("postgres: a client's secret hash is malformed");
  }
  r.registered_at_us = static_cast<int64_t>(rows.U64(row, col + 3));
  r.used = rows.Bool(row, col + 4);
  return r;
}

// Rows one statement writes or names, at most: of 4 columns, 4,000
// parameters (of the 65,535 a statement may have).
constexpr size_t kRowsPerStatement = 1000;
// Bytes of objects a group commit reads ahead (PgGroupReads): an object
// past them in key order, and those after it in its statement, are read one
// statement each.
constexpr int64_t kReadAheadObjectBytes = 4 << 20;

// `count` parameters from $first on: "$1, $2, $3".
std::string Placeholders(size_t first, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += fmt::format("{}${}", i == 0 ? "" : ", ", first + i);
  return out;
}

// `count` parameters from $first on in rows of `width`: "($1, $2), ($3, $4)".
std::string RowPlaceholders(size_t first, size_t count, size_t width) {
  assert(width > 0 && count % width == 0);
  std::string out;
  for (size_t i = 0; i < count; i += width)
    out += fmt::format("{}({})", i == 0 ? "" : ", ", Placeholders(first + i, width));
  return out;
}

// The uploads' reads inside the group commit's transaction. Each read is a
// round trip made while the lineage row is locked, holding every node's
// group commits: the reads ahead make one per kRowsPerStatement clients,
// origins or objects instead of one each.
class PgGroupReads final : public GroupCommitReads {
 public:
  explicit PgGroupReads(PgConnection& c) : c_(c) {}

  Result<std::optional<ClientRecord>> Client(uint64_t client_id) override {
    if (auto a = clients_ahead_.find(client_id); a != clients_ahead_.end()) return a->second;
    // Locked until the commit: a concurrent RemoveUnusedRegistrations waits
    // and then finds the row used (WritePlan marks it), or removed it first.
    Result<PgRows> rows = c_.Query(
        "SELECT highest_lsn, reset, secret_hash, registered_at_us, used FROM journaldb.clients "
        "WHERE client_id = $1 FOR UPDATE",
        {PgParam::U64(client_id)}, "read client");
    if (!rows.ok()) return rows.status();
    std::optional<ClientRecord> record;
    if (rows->size() == 1) {
      Result<ClientRecord> r = DecodeClientRow(*rows, 0, 0);
      if (!r.ok()) return r.status();
      record = *r;
    }
    // Asked again by the plan after ReadAheadForGroup: a row found is
    // locked, and nothing before WritePlan writes the registry.
    clients_ahead_[client_id] = record;
    return record;
  }

  Result<std::optional<StoredOrigin>> Origin(uint64_t client_id, Lsn lsn) override {
    if (auto a = origins_ahead_.find({client_id, lsn}); a != origins_ahead_.end()) return a->second;
    // An origin an older server wrote has no entry_hash: the changeset's
    // record is read instead, while it is kept.
    Result<PgRows> rows = c_.Query(
        "SELECT o.version, o.entry_hash, CASE WHEN o.entry_hash IS NULL THEN c.record END "
        "FROM journaldb.origins o LEFT JOIN journaldb.changesets c "
        "ON c.version = o.version WHERE o.client_id = $1 AND o.lsn = $2",
        {PgParam::U64(client_id), PgParam::U64(lsn)}, "read origin");
    if (!rows.ok()) return rows.status();
    if (rows->size() == 0) return std::optional<StoredOrigin>();
    StoredOrigin origin{rows->U64(0, 0), std::nullopt};
    if (!rows->IsNull(0, 1)) {
      origin.digest = DigestFromBytes(rows->Bytes(0, 1));
      if (!origin.digest)
        return Status::Corruption(fmt::format(
            "postgres: the entry hash of client {} lsn {} is malformed", client_id, lsn));
    } else if (!rows->IsNull(0, 2)) {  // both NULL: trimmed, no digest
      Result<EntryDigest> stored = DigestOfChangesetRecord(rows->Bytes(0, 2));
      if (!stored.ok()) return stored.status();
      origin.digest = *stored;
    }
    return std::optional<StoredOrigin>(origin);
  }

  Result<std::optional<std::string>> StateObject(const std::string& key) override {
    // Handed over, not copied: the plan keeps the object it decodes, and
    // reads it again here only if it put it back (a refused entry).
    if (auto a = state_ahead_.find(key); a != state_ahead_.end()) {
      std::optional<std::string> object = std::move(a->second);
      state_ahead_.erase(a);
      return object;
    }
    Result<PgRows> rows = c_.Query("SELECT object FROM journaldb.state WHERE key = $1",
                                   {PgParam::Bytes(key)}, "read state");
    if (!rows.ok()) return rows.status();
    if (rows->size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(std::string(rows->Bytes(0, 0)));
  }

  bool ReadsAhead() const override { return true; }

  // One client or object is left to Client or StateObject: through the
  // multi-row statements a group of one upload of one entry was about a
  // sixth slower (docs/benchmarks.md).
  Status ReadAheadClients(const std::vector<uint64_t>& client_ids) override {
    for (size_t at = 0; client_ids.size() > 1 && at < client_ids.size(); at += kRowsPerStatement) {
      const size_t n = std::min(kRowsPerStatement, client_ids.size() - at);
      std::vector<PgParam> params;
      for (size_t i = 0; i < n; ++i) params.push_back(PgParam::U64(client_ids[at + i]));
      // Locked as Client locks one, in id order, as RemoveUnusedRegistrations
      // locks them, so that the two do not deadlock.
      Result<PgRows> rows = c_.Query(
          fmt::format("SELECT client_id, highest_lsn, reset, secret_hash, registered_at_us, used "
                      "FROM journaldb.clients WHERE client_id IN ({}) ORDER BY client_id "
                      "FOR UPDATE",
                      Placeholders(1, n))
              .c_str(),
          params, "read clients");
      if (!rows.ok()) return rows.status();
      for (size_t i = 0; i < n; ++i) clients_ahead_[client_ids[at + i]] = std::nullopt;
      for (int row = 0; row < rows->size(); ++row) {
        Result<ClientRecord> r = DecodeClientRow(*rows, row, 1);
        if (!r.ok()) return r.status();
        clients_ahead_[rows->U64(row, 0)] = *r;
      }
    }
    return Status::OK();
  }

  Status ReadAheadOrigins(const std::vector<std::pair<uint64_t, Lsn>>& origins) override {
    for (size_t at = 0; origins.size() > 1 && at < origins.size(); at += kRowsPerStatement) {
      const size_t n = std::min(kRowsPerStatement, origins.size() - at);
      std::vector<PgParam> params;
      for (size_t i = 0; i < n; ++i) {
        params.push_back(PgParam::U64(origins[at + i].first));
        params.push_back(PgParam::U64(origins[at + i].second));
      }
      Result<PgRows> rows = c_.Query(
          fmt::format("SELECT o.client_id, o.lsn, o.version, o.entry_hash FROM journaldb.origins o "
                      "JOIN (VALUES {}) v (client_id, lsn) USING (client_id, lsn)",
                      RowPlaceholders(1, 2 * n, 2))
              .c_str(),
          params, "read origins");
      if (!rows.ok()) return rows.status();
      std::set<std::pair<uint64_t, Lsn>> found;
      for (int row = 0; row < rows->size(); ++row) {
        std::pair<uint64_t, Lsn> at_lsn{rows->U64(row, 0), rows->U64(row, 1)};
        found.insert(at_lsn);
        // Without a digest (an older server's), or a malformed one: Origin
        // reads it whole, with the changeset's record, and names the fault.
        if (rows->IsNull(row, 3)) continue;
        std::optional<EntryDigest> digest = DigestFromBytes(rows->Bytes(row, 3));
        if (!digest) continue;
        origins_ahead_[at_lsn] = StoredOrigin{rows->U64(row, 2), digest};
      }
      for (size_t i = 0; i < n; ++i)
        if (!found.contains(origins[at + i])) origins_ahead_[origins[at + i]] = std::nullopt;
    }
    return Status::OK();
  }

  // Objects in key order until kReadAheadObjectBytes: one past what is left
  // of it, and those after it in its statement, come back without their
  // bytes and are read when asked.
  Status ReadAheadObjects(const std::vector<std::string>& state_keys) override {
    int64_t budget = kReadAheadObjectBytes;
    for (size_t at = 0; state_keys.size() > 1 && at < state_keys.size() && budget > 0;
         at += kRowsPerStatement) {
      const size_t n = std::min(kRowsPerStatement, state_keys.size() - at);
      std::vector<PgParam> params{PgParam::U64(static_cast<uint64_t>(budget))};
      for (size_t i = 0; i < n; ++i) params.push_back(PgParam::Bytes(state_keys[at + i]));
      Result<PgRows> rows = c_.Query(
          fmt::format("SELECT key, CASE WHEN sum(length(object)) OVER (ORDER BY key) <= $1 "
                      "THEN object END FROM journaldb.state WHERE key IN ({})",
                      Placeholders(2, n))
              .c_str(),
          params, "read state");
      if (!rows.ok()) return rows.status();
      std::set<std::string_view> found;
      for (int row = 0; row < rows->size(); ++row) {
        found.insert(rows->Bytes(row, 0));
        if (rows->IsNull(row, 1)) continue;  // past the budget: read when asked
        std::string_view object = rows->Bytes(row, 1);
        budget -= static_cast<int64_t>(object.size());
        state_ahead_[std::string(rows->Bytes(row, 0))] = std::string(object);
      }
      for (size_t i = 0; i < n; ++i)
        if (!found.contains(state_keys[at + i])) state_ahead_[state_keys[at + i]] = std::nullopt;
    }
    return Status::OK();
  }

 private:
  PgConnection& c_;
  // What was read ahead (and each client read): a registry row or none; an
  // object (taken by StateObject) or none; an origin or none. A name missing
  // here is read when asked.
  std::map<uint64_t, std::optional<ClientRecord>> clients_ahead_;
  std::map<std::string, std::optional<std::string>> state_ahead_;
  std::map<std::pair<uint64_t, Lsn>, std::optional<StoredOrigin>> origins_ahead_;
};

// A chain hash column that is NULL (an outer join found no row) or the hash.
Result<std::optional<ChainHash>> ChainHashColumn(const PgRows& rows, int row, int col) {
  if (rows.IsNull(row, col)) return std::optional<ChainHash>();
  std::optional<ChainHash> h = DigestFromBytes(rows.Bytes(row, col));
  if (!h) return Status::Corruption("postgres: a chain hash is malformed");
  return h;
}

// The chain hash at `version` as one row's columns show it: `stored` is the
// chain table's hash there; versions outside [horizon, latest] have none.
Result<std::optional<ChainHash>> ChainHashInRange(uint64_t version, uint64_t latest,
                                                  uint64_t horizon, const PgRows& rows, int col) {
  if (version > latest || version < horizon) return std::optional<ChainHash>();
  if (version == 0) return std::optional<ChainHash>(kChainStart);
  return ChainHashColumn(rows, 0, col);
}

Status StoreChainHash(PgConnection& c, uint64_t version, const ChainHash& hash) {
  Result<PgRows> r =
      c.Query("INSERT INTO journaldb.chain VALUES ($1, $2)",
              {PgParam::U64(version), PgParam::Bytes(DigestBytes(hash))}, "store chain hash");
  return r.status();
}

// Rows inserted into one table a statement at a time, up to kRowsPerStatement rows
// or about kMaxBytes of parameters a statement: a group commit of thousands
// of entries made three round trips per entry, all under the lineage lock.
class RowInserter {
 public:
  // `into`: the table (and columns) after INSERT INTO; `suffix` follows the
  // VALUES list (ON CONFLICT ...).
  RowInserter(PgConnection& c, std::string into, size_t columns, const char* what,
              std::string suffix = "")
      : c_(c), into_(std::move(into)), suffix_(std::move(suffix)), columns_(columns), what_(what) {}

  Status Add(std::vector<PgParam> row) {
    for (PgParam& p : row) {
      bytes_ += p.bytes.size();
      params_.push_back(std::move(p));
    }
    return params_.size() / columns_ >= kRowsPerStatement || bytes_ >= kMaxBytes ? Flush()
                                                                                 : Status::OK();
  }
  Status Flush() {
    if (params_.empty()) return Status::OK();
    std::string sql = fmt::format("INSERT INTO {} VALUES {}{}", into_,
                                  RowPlaceholders(1, params_.size(), columns_), suffix_);
    Result<PgRows> r = c_.Query(sql.c_str(), params_, what_);
    params_.clear();
    bytes_ = 0;
    return r.status();
  }

 private:
  static constexpr size_t kMaxBytes = 4u << 20;  // then at most that and one row
  PgConnection& c_;
  const std::string into_;
  const std::string suffix_;
  const size_t columns_;
  const char* const what_;
  std::vector<PgParam> params_;
  size_t bytes_ = 0;
};

// Erases the objects under the keys in `keys` (bytea parameters), and
// empties it.
Status EraseState(PgConnection& c, std::vector<PgParam>& keys) {
  if (keys.empty()) return Status::OK();
  Result<PgRows> r = c.Query(
      fmt::format("DELETE FROM journaldb.state WHERE key IN ({})", Placeholders(1, keys.size()))
          .c_str(),
      keys, "erase state");
  keys.clear();
  return r.status();
}

// Writes a planned group commit inside its transaction.
Status WritePlan(PgConnection& c, const GroupCommitPlan& plan, uint64_t old_latest) {
  RowInserter chain(c, "journaldb.chain", 2, "store chain hashes");
  RowInserter changesets(c, "journaldb.changesets", 3, "store changesets");
  RowInserter origins(c, "journaldb.origins (client_id, lsn, version, entry_hash)", 4,
                      "store origins");
  for (size_t i = 0; i < plan.changesets.size(); ++i) {
    const wire::Changeset& cs = plan.changesets[i];
    Status s = chain.Add(
        {PgParam::U64(cs.server_version), PgParam::Bytes(DigestBytes(plan.chain_hashes[i]))});
    if (s.ok())
      s = changesets.Add({PgParam::U64(cs.server_version),
                          PgParam::U64(static_cast<uint64_t>(cs.server_time_us)),
                          PgParam::Bytes(wire::EncodeChangesetRecord(cs))});
    if (s.ok())
      s = origins.Add({PgParam::U64(cs.origin_client), PgParam::U64(cs.origin_lsn),
                       PgParam::U64(cs.server_version),
                       PgParam::Bytes(DigestBytes(plan.entry_digests[i]))});
    if (!s.ok()) return s;
  }
  for (RowInserter* rows : {&chain, &changesets, &origins})
    if (Status s = rows->Flush(); !s.ok()) return s;
  RowInserter upserts(c, "journaldb.state", 2, "store state",
                      " ON CONFLICT (key) DO UPDATE SET object = EXCLUDED.object");
  std::vector<PgParam> erased;
  for (const auto& [key, obj] : plan.state) {
    if (!obj) {
      erased.push_back(PgParam::Bytes(key));
      if (erased.size() < kRowsPerStatement) continue;
      if (Status s = EraseState(c, erased); !s.ok()) return s;
    } else if (Status s =
                   upserts.Add({PgParam::Bytes(key), PgParam::Bytes(codec::EncodeObject(*obj))});
               !s.ok()) {
      return s;
    }
  }
  if (Status s = upserts.Flush(); !s.ok()) return s;
  if (Status s = EraseState(c, erased); !s.ok()) return s;
  std::vector<PgParam> lsns;
  size_t clients_left = plan.highest_lsns.size();
  for (const auto& [id, highest] : plan.highest_lsns) {
    lsns.push_back(PgParam::U64(id));
    lsns.push_back(PgParam::U64(highest));
    if (--clients_left > 0 && lsns.size() / 2 < kRowsPerStatement) continue;
    Result<PgRows> r =
        lsns.size() == 2
            ? c.Query(
                  "UPDATE journaldb.clients SET highest_lsn = $2, used = true "
                  "WHERE client_id = $1",
                  lsns, "store client lsn")
            : c.Query(fmt::format("UPDATE journaldb.clients c SET highest_lsn = v.highest, "
                                  "used = true FROM (VALUES {}) v (id, highest) "
                                  "WHERE c.client_id = v.id",
                                  RowPlaceholders(1, lsns.size(), 2))
                          .c_str(),
                      lsns, "store client lsns");
    if (!r.ok()) return r.status();
    lsns.clear();
  }
  if (plan.latest_version == old_latest) return Status::OK();
  Result<PgRows> r = c.Query("UPDATE journaldb.lineage SET latest_version = $1 WHERE id = 1",
                             {PgParam::U64(plan.latest_version)}, "store latest version");
  if (!r.ok()) return r.status();
  // Delivered at COMMIT, and only if it commits.
  return c.Exec(fmt::format("NOTIFY {}", kChannel).c_str(), "notify");
}

}  // namespace

// A pooled connection for the length of one call.
class PostgresStore::Lease {
 public:
  Lease(PostgresStore* store, PgConnection c) : store_(store), c_(std::move(c)) {}
  Lease(Lease&& o) noexcept : store_(std::exchange(o.store_, nullptr)), c_(std::move(o.c_)) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (store_ != nullptr) store_->Return(std::move(*c_));
  }
  PgConnection& operator*() { return *c_; }
  PgConnection* operator->() { return &*c_; }

 private:
  PostgresStore* store_;
  std::optional<PgConnection> c_;
};

// One of the kMaxSnapshots a store may have open, given back when it ends.
class SnapshotSlot {
 public:
  static std::optional<SnapshotSlot> Take(const std::shared_ptr<std::atomic<int>>& open) {
    if (open->fetch_add(1) >= kMaxSnapshots) {
      open->fetch_sub(1);
      return std::nullopt;
    }
    return SnapshotSlot(open);
  }
  SnapshotSlot(SnapshotSlot&& o) noexcept : open_(std::move(o.open_)) {}
  SnapshotSlot& operator=(SnapshotSlot&&) = delete;
  ~SnapshotSlot() {
    if (open_) open_->fetch_sub(1);
  }

 private:
  explicit SnapshotSlot(std::shared_ptr<std::atomic<int>> open) : open_(std::move(open)) {}
  std::shared_ptr<std::atomic<int>> open_;
};

// One REPEATABLE READ, READ ONLY transaction on a connection of its own.
class PostgresStore::Snapshot final : public StateSnapshot {
 public:
  static Result<std::unique_ptr<StateSnapshot>> Begin(
      const std::string& conninfo, const std::shared_ptr<std::atomic<int>>& open) {
    std::optional<SnapshotSlot> slot = SnapshotSlot::Take(open);
    if (!slot)
      return Status::Busy(
          fmt::format("postgres: {} bootstraps are in progress on this server, each holding a "
                      "database connection; retry later",
                      kMaxSnapshots));
    Result<PgConnection> c = PgConnection::Connect(conninfo, kSnapshotTimeouts);
    if (!c.ok()) return c.status();
    if (Status s = c->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin snapshot");
        !s.ok())
      return s;
    Result<PgRows> rows = c->Query(
        "SELECT l.latest_version, l.horizon, h.hash FROM journaldb.lineage l "
        "LEFT JOIN journaldb.chain h ON h.version = l.latest_version WHERE l.id = 1",
        {}, "read latest");
    if (!rows.ok()) return rows.status();
    if (rows->size() != 1) return Status::Corruption("postgres: the lineage row is missing");
    const uint64_t latest = rows->U64(0, 0);
    Result<std::optional<ChainHash>> hash =
        ChainHashInRange(latest, latest, rows->U64(0, 1), *rows, 2);
    if (!hash.ok()) return hash.status();
    return std::unique_ptr<StateSnapshot>(
        new Snapshot(std::move(*slot), std::move(c).value(), latest, hash->value_or(kChainStart)));
  }

  uint64_t version() const override { return version_; }
  ChainHash chain_hash() const override { return hash_; }

  Result<Lsn> ClientHighestLsn(uint64_t client_id) override {
    Result<PgRows> rows = c_.Query("SELECT highest_lsn FROM journaldb.clients WHERE client_id = $1",
                                   {PgParam::U64(client_id)}, "read client lsn");
    if (!rows.ok()) return rows.status();
    return rows->size() == 0 ? Lsn{0} : rows->U64(0, 0);
  }

  Status ReadStatePage(std::string_view after_key, size_t max_bytes,
                       wire::BootstrapPage* page) override {
    Result<PgRows> rows =
        c_.Query("SELECT key, object FROM journaldb.state WHERE key > $1 ORDER BY key LIMIT $2",
                 {PgParam::Bytes(after_key), PgParam::U64(kRowsPerRead)}, "read state page");
    if (!rows.ok()) return rows.status();
    max_bytes = std::min(max_bytes, wire::kMaxReplyPayloadBytes);
    size_t bytes = 0;
    for (int i = 0; i < rows->size(); ++i) {
      wire::StateObject o;
      o.key = rows->Bytes(i, 0);
      o.bytes = rows->Bytes(i, 1);
      // As for the data directory: at least one object, then within max_bytes.
      size_t size = wire::EncodedSize(o);
      if (!page->objects.empty() && bytes + size > max_bytes) return Status::OK();
      bytes += size;
      page->objects.push_back(std::move(o));
    }
    page->last = rows->size() < kRowsPerRead;
    return Status::OK();
  }

 private:
  Snapshot(SnapshotSlot slot, PgConnection c, uint64_t version, const ChainHash& hash)
      : slot_(std::move(slot)), c_(std::move(c)), version_(version), hash_(hash) {}
  SnapshotSlot slot_;
  PgConnection c_;  // closing it ends the transaction
  uint64_t version_;
  ChainHash hash_;
};

Status PostgresStore::Init(const std::string& conninfo) {
  Result<PgConnection> c = PgConnection::Connect(conninfo, kPoolTimeouts);
  if (!c.ok()) return c.status();
  Result<PgRows> exists =
      c->Query("SELECT to_regnamespace('journaldb') IS NOT NULL", {}, "look for the schema");
  if (!exists.ok()) return exists.status();
  if (exists->Bool(0, 0))
    return Status::FailedPrecondition(fmt::format(
        "database {} already has the journaldb schema; init runs once", PQdb(c->raw())));
  if (Status s = c->Exec("BEGIN", "begin"); !s.ok()) return s;
  if (Status s = c->Exec(kSchema, "create the schema"); !s.ok()) return s;
  std::string lineage =
      fmt::format("INSERT INTO journaldb.lineage VALUES (1, '{}', $1, 0, 0)", kFormatTag);
  Result<PgRows> r = c->Query(lineage.c_str(), {PgParam::U64(RandomEpoch())}, "create lineage");
  if (!r.ok()) return r.status();
  return c->Commit("commit the schema");
}

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& conninfo) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(conninfo));
  // Return (from a lease's destructor) must not allocate: the pool never
  // holds more than this.
  store->idle_.reserve(kMaxPooled);
  {
    Result<Lease> c = store->Acquire();
    if (!c.ok()) return c.status();
    Result<PgRows> exists =
        (*c)->Query("SELECT to_regclass('journaldb.lineage') IS NOT NULL", {}, "look for schema");
    if (!exists.ok()) return exists.status();
    if (!exists->Bool(0, 0))
      return Status::FailedPrecondition(fmt::format(
          "database {} has no journaldb schema; create it once with `journal-server init "
          "--postgres CONNINFO`",
          PQdb((*c)->raw())));
    store->describe_ = fmt::format("postgres db={}", PQdb((*c)->raw()));
    if (Status s = store->Refresh(**c); !s.ok()) return s;
  }
  if (Status s = store->CompleteChain(); !s.ok()) return s;
  // A database initialised before servers kept registration times: the
  // registrations already there become used, so an upgrade never expires
  // them.
  if (Status s = store->AddColumnsIfMissing("clients",
                                            {{"registered_at_us", "bigint NOT NULL DEFAULT 0"},
                                             {"used", "boolean NOT NULL DEFAULT true"}},
                                            "registration times");
      !s.ok())
    return s;
  // A database initialised before servers kept entry digests: the origins
  // already there keep NULL, and their re-uploads are compared with the
  // stored changeset while it is kept.
  if (Status s = store->AddColumnsIfMissing("origins", {{"entry_hash", "bytea"}}, "entry hashes");
      !s.ok())
    return s;
  // The origins without an entry_hash (an older server's), which a trim
  // digests before it removes their changesets.
  if (Status s = store->CreateIndexIfMissing("origins_without_hash", "origins", /*unique=*/false,
                                             "(version) WHERE entry_hash IS NULL",
                                             "origins without hashes");
      !s.ok())
    return s;
  if (Status s = store->CreateSecretIndexIfMissing(/*serving=*/false); !s.ok()) return s;
  if (::pipe2(store->stop_pipe_, O_CLOEXEC) != 0)
    return Status::IOError("postgres store: cannot create pipe");
  try {
    store->listener_ = std::thread([p = store.get()] { p->ListenLoop(); });
  } catch (const std::system_error& e) {
    return Status::IOError(fmt::format("postgres store: cannot start its listener: {}", e.what()));
  }
  return store;
}

PostgresStore::~PostgresStore() {
  if (listener_.joinable()) {
    char byte = 0;
    (void)!::write(stop_pipe_[1], &byte, 1);
    listener_.join();
  }
  for (int fd : stop_pipe_)
    if (fd >= 0) ::close(fd);
}

std::string PostgresStore::Describe() const { return describe_; }

// A socket per pooled connection, per snapshot and for the listener, the
// listener's stop pipe, and what connecting opens for a moment (a DNS
// socket, a password or service file, certificates) for the threads that
// may reconnect at once after the database restarts.
uint64_t PostgresStore::FilesNeeded() { return kMaxPooled + kMaxSnapshots + 1 + 2 + 24; }

Result<PostgresStore::Lease> PostgresStore::Acquire() {
  {
    std::unique_lock<std::mutex> lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return !idle_.empty() || leased_ < kMaxPooled; });
    ++leased_;
    if (!idle_.empty()) {
      PgConnection c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
  }
  Result<PgConnection> c = PgConnection::Connect(conninfo_, kPoolTimeouts);
  if (!c.ok()) {
    std::lock_guard<std::mutex> lock(pool_mu_);
    --leased_;
    pool_cv_.notify_one();
    return c.status();
  }
  return Lease(this, std::move(c).value());
}

void PostgresStore::Return(PgConnection c) {
  std::lock_guard<std::mutex> lock(pool_mu_);
  --leased_;
  if (!c.ok())
    idle_.clear();  // the database went away: the idle ones are as dead
  else if (PQtransactionStatus(c.raw()) == PQTRANS_IDLE)
    idle_.push_back(std::move(c));
  // else: left inside a transaction (an exception ended its user, out of
  // memory): closed, which rolls it back, rather than handed to the next
  // user, whose BEGIN would join it and whose statements would hold its locks.
  pool_cv_.notify_one();
}

Status PostgresStore::InTransaction(const std::function<Status(PgConnection&)>& body) {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  if (Status s = (*c)->Exec("BEGIN", "begin"); !s.ok()) return s;
  // An exception from `body` (out of memory) leaves the transaction open:
  // Return closes such a connection.
  Status s = body(**c);
  if (s.ok()) return (*c)->Commit();
  (*c)->Exec("ROLLBACK", "rollback").IgnoreError();
  return s;
}

Status PostgresStore::Refresh(PgConnection& c) {
  uint64_t own_writes;
  {
    std::lock_guard<std::mutex> lock(lineage_mu_);
    own_writes = own_lineage_writes_;
  }
  Result<PgRows> rows =
      c.Query("SELECT format, epoch, latest_version, horizon FROM journaldb.lineage WHERE id = 1",
              {}, "read the lineage");
  if (!rows.ok()) return rows.status();
  if (rows->size() != 1 || rows->Bytes(0, 0) != kFormatTag)
    return Status::FailedPrecondition(
        fmt::format("{} holds no journal-server lineage (format tag missing)", describe_));
  {
    // Our own trim or new epoch committed while this read ran: the read may
    // predate it, and its NOTIFY brings a refresh that sees it.
    std::lock_guard<std::mutex> lock(lineage_mu_);
    if (own_lineage_writes_ == own_writes) {
      epoch_.store(rows->U64(0, 1), std::memory_order_release);
      horizon_.store(rows->U64(0, 3), std::memory_order_release);
    }
  }
  SawLatest(rows->U64(0, 2), /*notify=*/true);
  return Status::OK();
}

void PostgresStore::StoreOwnLineage(std::atomic<uint64_t>& field, uint64_t value) {
  std::lock_guard<std::mutex> lock(lineage_mu_);
  ++own_lineage_writes_;
  field.store(value, std::memory_order_release);
}

void PostgresStore::SawLatest(uint64_t latest, bool notify) {
  uint64_t known = latest_.load(std::memory_order_acquire);
  while (latest > known && !latest_.compare_exchange_weak(known, latest)) {
  }
  if (!notify || latest <= known) return;
  std::lock_guard<std::mutex> lock(callback_mu_);
  if (on_new_versions_) on_new_versions_();
}

void PostgresStore::SetNewVersionsCallback(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(callback_mu_);
  on_new_versions_ = std::move(callback);
}

void PostgresStore::ListenLoop() {
  std::optional<PgConnection> c;
  auto drain = [&] {
    bool any = false;
    while (PGnotify* n = PQnotifies(c->raw())) {
      PQfreemem(n);
      any = true;
    }
    return any;
  };
  for (;;) {
    if (!c) {
      // Notifications sent while no listener was connected are lost: the
      // refresh after connecting catches up.
      Result<PgConnection> fresh = PgConnection::Connect(conninfo_, kPoolTimeouts, kListenerName);
      if (fresh.ok() && fresh->Exec(fmt::format("LISTEN {}", kChannel).c_str(), "listen").ok() &&
          Refresh(*fresh).ok())
        c = std::move(fresh).value();
    }
    pollfd fds[2] = {{stop_pipe_[0], POLLIN, 0}, {c ? PQsocket(c->raw()) : -1, POLLIN, 0}};
    int n = ::poll(fds, 2, c ? kPollMs : kPollMs / 2);
    if (fds[0].revents != 0) return;
    if (!c || (n < 0 && errno == EINTR)) continue;
    if ((fds[1].revents != 0 && !PQconsumeInput(c->raw())) || !c->ok()) {
      c.reset();
      continue;
    }
    // A notification that arrives during the refresh may announce a commit
    // the refresh did not see: refresh until none came in meanwhile.
    drain();
    bool failed = false;
    do {
      failed = !Refresh(*c).ok();
    } while (!failed && drain());
    if (failed) c.reset();
  }
}

Result<uint64_t> PostgresStore::ReadLatestVersion() {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  if (Status s = Refresh(**c); !s.ok()) return s;
  return latest_version();
}

Result<AdmissionView> PostgresStore::ReadAdmissionView(uint64_t client_id, uint64_t client_epoch,
                                                       uint64_t download_cursor) {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  // One statement: one snapshot of the database.
  Result<PgRows> rows = (*c)->Query(
      "SELECT l.epoch, l.latest_version, l.horizon, c.client_id IS NOT NULL, c.highest_lsn, "
      "c.reset, c.secret_hash, c.registered_at_us, c.used, f.version, h.hash "
      "FROM journaldb.lineage l "
      "LEFT JOIN journaldb.clients c ON c.client_id = $1 "
      "LEFT JOIN journaldb.forks f ON f.epoch = $2 "
      "LEFT JOIN journaldb.chain h ON h.version = $3 WHERE l.id = 1",
      {PgParam::U64(client_id), PgParam::U64(client_epoch), PgParam::U64(download_cursor)},
      "read admission view");
  if (!rows.ok()) return rows.status();
  if (rows->size() != 1) return Status::Corruption("postgres: the lineage row is missing");
  AdmissionView view{rows->U64(0, 0), rows->U64(0, 1), rows->U64(0, 2),
                     std::nullopt,    std::nullopt,    std::nullopt};
  if (client_id != 0 && rows->Bool(0, 3)) {
    Result<ClientRecord> r = DecodeClientRow(*rows, 0, 4);
    if (!r.ok()) return r.status();
    view.client = *r;
  }
  if (client_epoch != 0 && client_epoch != view.epoch && !rows->IsNull(0, 9))
    view.client_epoch_fork_version = rows->U64(0, 9);
  Result<std::optional<ChainHash>> hash =
      ChainHashInRange(download_cursor, view.latest_version, view.horizon, *rows, 10);
  if (!hash.ok()) return hash.status();
  view.cursor_hash = *hash;
  SawLatest(view.latest_version, /*notify=*/false);
  return view;
}

Result<std::optional<ChainHash>> PostgresStore::ChainHashAt(uint64_t version) {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  Result<PgRows> rows = (*c)->Query(
      "SELECT l.latest_version, l.horizon, h.hash FROM journaldb.lineage l "
      "LEFT JOIN journaldb.chain h ON h.version = $1 WHERE l.id = 1",
      {PgParam::U64(version)}, "read chain hash");
  if (!rows.ok()) return rows.status();
  if (rows->size() != 1) return Status::Corruption("postgres: the lineage row is missing");
  return ChainHashInRange(version, rows->U64(0, 0), rows->U64(0, 1), *rows, 2);
}

Status PostgresStore::CompleteChain() {
  return InTransaction([&](PgConnection& c) -> Status {
    // The lock makes nodes starting together take turns; the first one
    // creates and fills the table, the others find it complete.
    Result<PgRows> rows =
        c.Query("SELECT latest_version, horizon FROM journaldb.lineage WHERE id = 1 FOR UPDATE", {},
                "lock lineage");
    if (!rows.ok()) return rows.status();
    if (rows->size() != 1) return Status::Corruption("postgres: the lineage row is missing");
    const uint64_t latest = rows->U64(0, 0), horizon = rows->U64(0, 1);
    Result<PgRows> exists =
        c.Query("SELECT to_regclass('journaldb.chain') IS NOT NULL", {}, "look for the chain");
    if (!exists.ok()) return exists.status();
    if (!exists->Bool(0, 0))
      if (Status s = c.Exec(
              "CREATE TABLE journaldb.chain (version bigint PRIMARY KEY, hash bytea NOT NULL)",
              "create the chain table");
          !s.ok())
        return s;
    if (latest == 0) return Status::OK();
    Result<PgRows> at =
        c.Query("SELECT version, hash FROM journaldb.chain WHERE version IN ($1, $2)",
                {PgParam::U64(horizon), PgParam::U64(latest)}, "read chain ends");
    if (!at.ok()) return at.status();
    std::optional<ChainHash> hash;
    for (int i = 0; i < at->size(); ++i) {
      Result<std::optional<ChainHash>> h = ChainHashColumn(*at, i, 1);
      if (!h.ok()) return h.status();
      if (at->U64(i, 0) == latest) return Status::OK();  // complete
      hash = *h;
    }
    // The chain of a trimmed history nobody hashed starts at the horizon
    // from kChainStart, as it would at version 0.
    if (!hash) {
      hash = kChainStart;
      if (horizon > 0)
        if (Status s = StoreChainHash(c, horizon, *hash); !s.ok()) return s;
    }
    for (uint64_t from = horizon; from < latest;) {
      Result<PgRows> page = c.Query(
          "SELECT version, record FROM journaldb.changesets WHERE version > $1 "
          "ORDER BY version LIMIT $2",
          {PgParam::U64(from), PgParam::U64(kRowsPerRead)}, "read history");
      if (!page.ok()) return page.status();
      if (page->size() == 0)
        return Status::Corruption(fmt::format("server history: version {} missing", from + 1));
      for (int i = 0; i < page->size() && from < latest; ++i) {
        if (page->U64(i, 0) != from + 1)
          return Status::Corruption(fmt::format("server history: version {} missing", from + 1));
        Result<wire::Changeset> cs = wire::DecodeChangesetRecord(page->Bytes(i, 1));
        if (!cs.ok()) return cs.status();
        Result<ChainHash> next = NextChainHash(*hash, *cs);
        if (!next.ok()) return next.status();
        hash = *next;
        if (Status s = StoreChainHash(c, ++from, *hash); !s.ok()) return s;
      }
    }
    return Status::OK();
  });
}

namespace {
Result<std::optional<uint64_t>> ClientWithSecret(PgConnection& c, const SecretHash& secret_hash) {
  Result<PgRows> rows =
      c.Query("SELECT client_id FROM journaldb.clients WHERE secret_hash = $1",
              {PgParam::Bytes(DigestBytes(secret_hash))}, "find a client by its secret");
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<uint64_t>();
  return std::optional<uint64_t>(rows->U64(0, 0));
}
}  // namespace

Result<std::optional<uint64_t>> PostgresStore::FindClientBySecret(const SecretHash& secret_hash) {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  return ClientWithSecret(**c, secret_hash);
}

Result<uint64_t> PostgresStore::RegisterClient(const SecretHash& secret_hash) {
  std::string error_code;
  Result<uint64_t> id = RegisterClientOnce(secret_hash, &error_code);
  // SQLSTATE 42P10: no unique index matches the ON CONFLICT clause.
  if (id.ok() || error_code != "42P10") return id;
  // The index clients_by_secret is gone: an older dump restored in place
  // (pg_restore --clean) under running nodes dropped it. Made again by one
  // registration at a time, bounded (it runs on a loop thread), and the
  // registration is made once more.
  std::unique_lock<std::mutex> repairing(index_repair_mu_, std::try_to_lock);
  if (!repairing.owns_lock()) return id;
  if (Status s = CreateSecretIndexIfMissing(/*serving=*/true); !s.ok())
    return Status(s.code(),
                  fmt::format("{} (making the index of registrations by secret again: {})",
                              id.status().message(), s.message()));
  return RegisterClientOnce(secret_hash, &error_code);
}

Result<uint64_t> PostgresStore::RegisterClientOnce(const SecretHash& secret_hash,
                                                   std::string* error_code) {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  // One statement, so committed (and durable) when it returns. A secret a
  // registration holds, also one another node inserts at the same moment,
  // inserts nothing (the unique index clients_by_secret; the id drawn is
  // skipped).
  Result<PgRows> rows = (*c)->Query(
      "WITH n AS (UPDATE journaldb.client_ids SET next = next + 1 RETURNING next - 1 AS id) "
      "INSERT INTO journaldb.clients (client_id, highest_lsn, reset, secret_hash, "
      "registered_at_us, used) SELECT id, 0, false, $1, $2, false FROM n "
      "ON CONFLICT (secret_hash) DO NOTHING RETURNING client_id",
      {PgParam::Bytes(DigestBytes(secret_hash)), PgParam::U64(static_cast<uint64_t>(NowMicros()))},
      "register client");
  if (!rows.ok()) {
    *error_code = (*c)->last_error_code();
    return rows.status();
  }
  if (rows->size() == 1) return rows->U64(0, 0);
  Result<std::optional<uint64_t>> taken = ClientWithSecret(**c, secret_hash);
  if (!taken.ok()) return taken.status();
  if (!*taken) return Status::Corruption("postgres: the client id counter is missing");
  return Status::Busy(
      fmt::format("client {} registered with this registration secret meanwhile; retry", **taken));
}

void PostgresStore::AppendUploads(const std::vector<UploadJob*>& jobs) {
  GroupCommitPlan plan;
  Status failure = InTransaction([&](PgConnection& c) -> Status {
    // The lineage row's lock orders the group commits of every node: versions
    // are handed out and committed one group after the other, gapless.
    Result<PgRows> rows = c.Query(
        "SELECT latest_version FROM journaldb.lineage WHERE id = 1 FOR UPDATE", {}, "lock lineage");
    if (!rows.ok()) return rows.status();
    if (rows->size() != 1) return Status::Corruption("postgres: the lineage row is missing");
    uint64_t latest = rows->U64(0, 0);
    // A statement of its own: one that waited for the lock sees the locked
    // row as the group before left it, but rows it joined as of its start,
    // before that group's chain hashes.
    Result<PgRows> chain = c.Query("SELECT hash FROM journaldb.chain WHERE version = $1",
                                   {PgParam::U64(latest)}, "read the latest chain hash");
    if (!chain.ok()) return chain.status();
    Result<std::optional<ChainHash>> latest_hash =
        chain->size() == 1 ? ChainHashColumn(*chain, 0, 0)
                           : Result<std::optional<ChainHash>>(std::optional<ChainHash>());
    if (!latest_hash.ok()) return latest_hash.status();
    if (latest != 0 && !*latest_hash)
      return Status::Corruption(
          fmt::format("postgres: no chain hash at the latest version {}", latest));
    PgGroupReads reads(c);
    if (Status s = PlanGroupCommit(jobs, latest, latest_hash->value_or(kChainStart), reads, &plan);
        !s.ok())
      return s;
    return WritePlan(c, plan, latest);
  });
  // A failed COMMIT may still have committed: the clients upload again and
  // are acknowledged from the origins.
  FinishGroupCommit(jobs, failure);
  if (failure.ok()) SawLatest(plan.latest_version, /*notify=*/false);
}

Status PostgresStore::ReadChangesets(uint64_t from, size_t max_bytes,
                                     std::vector<wire::Changeset>* out) {
  uint64_t latest = latest_version();
  if (from >= latest) return Status::OK();
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  Result<PgRows> rows = (*c)->Query(
      "SELECT version, record FROM journaldb.changesets WHERE version > $1 AND version <= $2 "
      "ORDER BY version LIMIT $3",
      {PgParam::U64(from), PgParam::U64(latest), PgParam::U64(kRowsPerRead)}, "read changesets");
  if (!rows.ok()) return rows.status();
  max_bytes = std::min(max_bytes, wire::kMaxReplyPayloadBytes);
  size_t bytes = 0;
  uint64_t expected = from + 1;
  for (int i = 0; i < rows->size(); ++i, ++expected) {
    if (rows->U64(i, 0) != expected)
      return Status::Corruption(
          fmt::format("server history: version {} missing (found {})", expected, rows->U64(i, 0)));
    Result<wire::Changeset> cs = wire::DecodeChangesetRecord(rows->Bytes(i, 1));
    if (!cs.ok()) return cs.status();
    size_t size = wire::EncodedSize(*cs);
    if (!out->empty() && bytes + size > max_bytes) break;
    bytes += size;
    out->push_back(std::move(cs).value());
  }
  if (out->empty())
    return Status::Corruption(fmt::format("server history: version {} missing", from + 1));
  return Status::OK();
}

Result<std::unique_ptr<StateSnapshot>> PostgresStore::NewSnapshot() {
  return Snapshot::Begin(conninfo_, snapshots_open_);
}

namespace {
constexpr int kDigestPage = 1000;

// Gives origins an older server wrote without an entry_hash, with a version
// above `after` and below `below` whose changeset is still there, the digest
// of that changeset's entry: a re-upload of it is then still compared once
// the changeset is trimmed. At most one page, in version order; the highest
// version the page read, or nullopt once none is left. A record that does not
// decode leaves its origin without (a re-upload of it resets: the safe side).
Result<std::optional<uint64_t>> DigestOriginsPage(PgConnection& c, uint64_t after, uint64_t below) {
  Result<PgRows> rows = c.Query(
      "SELECT o.client_id, o.lsn, o.version, c.record FROM journaldb.origins o "
      "JOIN journaldb.changesets c ON c.version = o.version "
      "WHERE o.entry_hash IS NULL AND o.version > $1 AND o.version < $2 "
      // Stated for the changesets too: the planner does not carry the range
      // across the join, and would read their index from the start per page.
      "AND c.version > $1 AND c.version < $2 "
      "ORDER BY o.version LIMIT $3",
      {PgParam::U64(after), PgParam::U64(below), PgParam::U64(kDigestPage)},
      "read origins without hashes");
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<uint64_t>();
  // One statement per page; the values are numbers and hex digits.
  std::string values;
  for (int i = 0; i < rows->size(); ++i) {
    const uint64_t client = rows->U64(i, 0), lsn = rows->U64(i, 1), version = rows->U64(i, 2);
    Result<wire::Changeset> changeset = wire::DecodeChangesetRecord(rows->Bytes(i, 3));
    if (!changeset.ok() || changeset->origin_client != client || changeset->origin_lsn != lsn ||
        changeset->server_version != version)
      continue;
    Result<EntryDigest> digest = DigestEntry(changeset->bytes);
    if (!digest.ok()) return digest.status();
    fmt::format_to(std::back_inserter(values), "{}({},{},decode('{:02x}','hex'))",
                   values.empty() ? "" : ",", client, lsn, fmt::join(*digest, ""));
  }
  if (!values.empty()) {
    Result<PgRows> r = c.Query(
        fmt::format("UPDATE journaldb.origins o SET entry_hash = v.h FROM (VALUES {}) "
                    "AS v(client_id, lsn, h) WHERE o.client_id = v.client_id AND o.lsn = v.lsn",
                    values)
            .c_str(),
        {}, "store origins' entry hashes");
    if (!r.ok()) return r.status();
  }
  return std::optional<uint64_t>(rows->U64(rows->size() - 1, 2));
}
}  // namespace

Status PostgresStore::DigestOriginsBelow(uint64_t below) {
  uint64_t after = 0;
  for (;;) {
    std::optional<uint64_t> last;
    Status s = InTransaction([&](PgConnection& c) -> Status {
      Result<std::optional<uint64_t>> page = DigestOriginsPage(c, after, below);
      if (!page.ok()) return page.status();
      last = *page;
      return Status::OK();
    });
    if (!s.ok()) return s;
    if (!last) return Status::OK();
    after = *last;
  }
}

Result<uint64_t> PostgresStore::TrimBelow(uint64_t below) {
  // Digests first, in short transactions of their own (one for a changeset
  // that stays is harmless): the trim's holds the lineage row, which every
  // node's group commit waits for.
  if (Status s = DigestOriginsBelow(below); !s.ok()) return s;
  uint64_t removed = 0;
  std::optional<uint64_t> new_horizon;
  std::lock_guard<std::mutex> own_change(own_change_mu_);
  Status s = InTransaction([&](PgConnection& c) -> Status {
    Result<PgRows> rows =
        c.Query("SELECT latest_version, horizon FROM journaldb.lineage WHERE id = 1 FOR UPDATE", {},
                "lock lineage");
    if (!rows.ok()) return rows.status();
    if (rows->size() != 1) return Status::Corruption("postgres: the lineage row is missing");
    uint64_t latest = rows->U64(0, 0), horizon = rows->U64(0, 1);
    below = std::min(below, latest + 1);
    if (below <= horizon + 1) return Status::OK();
    removed = below - 1 - horizon;
    // Origins an older node wrote since the pass before this transaction.
    for (std::optional<uint64_t> after = 0; after;) {
      Result<std::optional<uint64_t>> page = DigestOriginsPage(c, *after, below);
      if (!page.ok()) return page.status();
      after = *page;
    }
    Result<PgRows> r = c.Query("DELETE FROM journaldb.changesets WHERE version < $1",
                               {PgParam::U64(below)}, "trim history");
    if (!r.ok()) return r.status();
    // The new horizon's hash stays: a client at the horizon is still checked.
    r = c.Query("DELETE FROM journaldb.chain WHERE version < $1", {PgParam::U64(below - 1)},
                "trim chain hashes");
    if (!r.ok()) return r.status();
    r = c.Query("UPDATE journaldb.lineage SET horizon = $1 WHERE id = 1", {PgParam::U64(below - 1)},
                "store horizon");
    if (!r.ok()) return r.status();
    new_horizon = below - 1;
    return c.Exec(fmt::format("NOTIFY {}", kChannel).c_str(), "notify");
  });
  if (!s.ok()) return s;
  // Cached once committed: a failed COMMIT leaves the old horizon.
  if (new_horizon) StoreOwnLineage(horizon_, *new_horizon);
  return removed;
}

Result<uint64_t> PostgresStore::FirstVersionYoungerThan(uint64_t age_seconds) {
  std::optional<int64_t> cutoff = MicrosAgo(age_seconds);
  if (!cutoff) return horizon();  // nothing is that old
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  Result<PgRows> rows = (*c)->Query(
      "SELECT COALESCE((SELECT min(version) FROM journaldb.changesets "
      "WHERE server_time_us >= $1), latest_version + 1) FROM journaldb.lineage WHERE id = 1",
      {PgParam::U64(static_cast<uint64_t>(*cutoff))}, "find trim point");
  if (!rows.ok()) return rows.status();
  if (rows->size() != 1) return Status::Corruption("postgres: the lineage row is missing");
  return rows->U64(0, 0);
}

Status PostgresStore::UpdateClient(uint64_t client_id, const char* set, const char* what) {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  Result<PgRows> r =
      (*c)->Query(fmt::format("UPDATE journaldb.clients SET {} WHERE client_id = $1", set).c_str(),
                  {PgParam::U64(client_id)}, what);
  if (!r.ok()) return r.status();
  if (r->Affected() == 0)
    return Status::NotFound(
        fmt::format("no client {} in the registry of {}", client_id, describe_));
  return Status::OK();
}

Status PostgresStore::ResetClient(uint64_t client_id) {
  return UpdateClient(client_id, "reset = true", "reset client");
}

Status PostgresStore::MarkClientUsed(uint64_t client_id) {
  return UpdateClient(client_id, "used = true", "mark client used");
}

Result<uint64_t> PostgresStore::RemoveUnusedRegistrations(int64_t registered_before_us) {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  // Locked in id order, as a group commit locks its clients' rows
  // (PgGroupReads::ReadAheadClients), so that the two do not deadlock; a row
  // a group commit marked used meanwhile is looked at again and kept.
  Result<PgRows> r = (*c)->Query(
      "DELETE FROM journaldb.clients WHERE client_id IN (SELECT client_id FROM journaldb.clients "
      "WHERE NOT used AND registered_at_us < $1 ORDER BY client_id FOR UPDATE)",
      {PgParam::U64(static_cast<uint64_t>(registered_before_us))}, "remove unused registrations");
  if (!r.ok()) return r.status();
  return r->Affected();
}

Status PostgresStore::AddColumnsIfMissing(const char* table,
                                          std::initializer_list<AddedColumn> columns,
                                          const char* what) {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  std::string names, additions;
  for (const AddedColumn& column : columns) {
    names += fmt::format("{}'{}'", names.empty() ? "" : ", ", column.name);
    additions += fmt::format("{}ADD COLUMN IF NOT EXISTS {} {}", additions.empty() ? "" : ", ",
                             column.name, column.definition);
  }
  Result<PgRows> has = (*c)->Query(
      fmt::format("SELECT count(*) = {} FROM information_schema.columns WHERE table_schema = "
                  "'journaldb' AND table_name = '{}' AND column_name IN ({})",
                  columns.size(), table, names)
          .c_str(),
      {}, fmt::format("look for {}", what).c_str());
  if (!has.ok()) return has.status();
  if (has->Bool(0, 0)) return Status::OK();
  // One statement; nodes starting together wait for the table's lock, and
  // the later ones find the columns there.
  return (*c)->Exec(fmt::format("ALTER TABLE journaldb.{} {}", table, additions).c_str(),
                    fmt::format("add {} to journaldb.{}", what, table).c_str());
}

Status PostgresStore::CreateSecretIndexIfMissing(bool serving) {
  // Registrations by secret (FindClientBySecret); unique, so that two nodes
  // registering one proposed secret at once cannot both succeed.
  return CreateIndexIfMissing("clients_by_secret", "clients", /*unique=*/true, "(secret_hash)",
                              "clients by secret", serving);
}

Status PostgresStore::CreateIndexIfMissing(const char* index, const char* table, bool unique,
                                           const char* definition, const char* what, bool serving) {
  {
    Result<Lease> c = Acquire();
    if (!c.ok()) return c.status();
    Result<PgRows> has =
        (*c)->Query(fmt::format("SELECT to_regclass('journaldb.{}') IS NOT NULL", index).c_str(),
                    {}, fmt::format("look for the index of {}", what).c_str());
    if (!has.ok()) return has.status();
    if (has->Bool(0, 0)) return Status::OK();
  }
  return InTransaction([&](PgConnection& c) -> Status {
    // The lock conflicts with itself (CREATE INDEX's own lock does not):
    // nodes starting together take turns, and the later ones find the index.
    // One scan of the table, however long it takes at open; writes wait
    // for it.
    if (Status s = serving
                       ? c.Exec("SET LOCAL lock_timeout = 5000", "bound the lock's wait")
                       : c.Exec("SET LOCAL statement_timeout = 0", "lift the statement timeout");
        !s.ok())
      return s;
    if (Status s = c.Exec(
            fmt::format("LOCK TABLE journaldb.{} IN SHARE ROW EXCLUSIVE MODE", table).c_str(),
            fmt::format("lock journaldb.{}", table).c_str());
        !s.ok())
      return s;
    return c.Exec(fmt::format("CREATE {}INDEX IF NOT EXISTS {} ON journaldb.{} {}",
                              unique ? "UNIQUE " : "", index, table, definition)
                      .c_str(),
                  fmt::format("index {}", what).c_str());
  });
}

Result<uint64_t> PostgresStore::StartNewEpoch(ServerStorage* replaced) {
  // What the replaced store passes on is read before this transaction.
  std::optional<uint64_t> replaced_next;
  uint64_t replaced_epoch = 0;
  std::optional<uint64_t> replaced_fork;
  uint64_t old_epoch = epoch();
  if (replaced != nullptr) {
    Result<uint64_t> next = replaced->NextClientId();
    if (!next.ok()) return next.status();
    replaced_next = *next;
    replaced_epoch = replaced->epoch();
    Result<std::optional<uint64_t>> fork = replaced->ForkVersion(old_epoch);
    if (!fork.ok()) return fork.status();
    replaced_fork = *fork;
  }
  uint64_t epoch = RandomEpoch();
  std::lock_guard<std::mutex> own_change(own_change_mu_);
  Status s = InTransaction([&](PgConnection& c) -> Status {
    Result<PgRows> rows =
        c.Query("SELECT epoch, latest_version FROM journaldb.lineage WHERE id = 1 FOR UPDATE", {},
                "lock lineage");
    if (!rows.ok()) return rows.status();
    if (rows->size() != 1) return Status::Corruption("postgres: the lineage row is missing");
    if (rows->U64(0, 0) != old_epoch)
      return Status::FailedPrecondition("the epoch changed meanwhile; run the command again");
    uint64_t latest = rows->U64(0, 1);
    constexpr char kFork[] =
        "INSERT INTO journaldb.forks VALUES ($1, $2) "
        "ON CONFLICT (epoch) DO UPDATE SET version = EXCLUDED.version";
    Result<PgRows> r =
        c.Query(kFork, {PgParam::U64(old_epoch), PgParam::U64(latest)}, "record fork point");
    if (!r.ok()) return r.status();
    r = c.Query("UPDATE journaldb.lineage SET epoch = $1 WHERE id = 1", {PgParam::U64(epoch)},
                "store epoch");
    if (!r.ok()) return r.status();
    if (replaced_next) {
      // Clients registered after the backup keep ids the backup never handed
      // out; a new client must not get one of them and be taken for it.
      r = c.Query("UPDATE journaldb.client_ids SET next = GREATEST(next, $1)",
                  {PgParam::U64(*replaced_next)}, "continue client ids");
      if (!r.ok()) return r.status();
      if (replaced_epoch != old_epoch && replaced_fork) {
        r = c.Query(kFork,
                    {PgParam::U64(replaced_epoch), PgParam::U64(std::min(*replaced_fork, latest))},
                    "record the replaced lineage's fork point");
        if (!r.ok()) return r.status();
      }
    }
    return c.Exec(fmt::format("NOTIFY {}", kChannel).c_str(), "notify");
  });
  if (!s.ok()) return s;
  StoreOwnLineage(epoch_, epoch);
  return epoch;
}

Result<std::optional<uint64_t>> PostgresStore::ForkVersion(uint64_t old_epoch) {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  Result<PgRows> rows = (*c)->Query("SELECT version FROM journaldb.forks WHERE epoch = $1",
                                    {PgParam::U64(old_epoch)}, "read fork point");
  if (!rows.ok()) return rows.status();
  if (rows->size() == 0) return std::optional<uint64_t>();
  return std::optional<uint64_t>(rows->U64(0, 0));
}

Result<uint64_t> PostgresStore::NextClientId() {
  Result<Lease> c = Acquire();
  if (!c.ok()) return c.status();
  Result<PgRows> rows =
      (*c)->Query("SELECT next FROM journaldb.client_ids WHERE id = 1", {}, "read client ids");
  if (!rows.ok()) return rows.status();
  if (rows->size() != 1) return Status::Corruption("postgres: the client id counter is missing");
  return rows->U64(0, 0);
}

}  // namespace journaldb::server
