#include "model/db_model.h"

#include <algorithm>

#include "journaldb/journal/fold.h"

namespace journaldb::testing {

namespace {

// False if the op cannot apply; `objects` is then unchanged.
bool ApplyOne(const Operation& op, ObjectMap& objects) {
  const Id id{op.collection, op.key};
  switch (op.kind) {
    case OpKind::kUpsert: {
      FieldMap& fields = objects[id];  // created even when no field is set
      for (const auto& [name, value] : op.fields) fields[name] = value;
      return true;
    }
    case OpKind::kEraseField:
      if (auto it = objects.find(id); it != objects.end()) it->second.erase(op.field);
      return true;
    case OpKind::kEraseObject:
      objects.erase(id);
      return true;
    case OpKind::kIncrement: {
      uint64_t current = 0;
      if (auto obj = objects.find(id); obj != objects.end())
        if (auto f = obj->second.find(op.field); f != obj->second.end()) {
          if (f->second.type() != ValueType::kInt) return false;
          current = static_cast<uint64_t>(f->second.as_int());
        }
      // Two's-complement wrap-around, as operation.h promises.
      objects[id][op.field] =
          Value::Int(static_cast<int64_t>(current + static_cast<uint64_t>(op.delta)));
      return true;
    }
    case OpKind::kListInsert:
    case OpKind::kListRemove:
    case OpKind::kListSet:
    case OpKind::kListMove: {
      // The list rules are pinned by tests/journal/list_fold_test.cc; the
      // model takes them from the fold.
      std::optional<FieldMap> object;
      if (auto it = objects.find(id); it != objects.end()) object = it->second;
      if (!fold::ApplyOperation(op, object).ok()) return false;
      if (object) objects[id] = std::move(*object);
      return true;
    }
  }
  return false;
}

}  // namespace

void FoldLenient(const std::vector<Operation>& ops, ObjectMap& objects) {
  for (const Operation& op : ops) ApplyOne(op, objects);
}

const char* ResetModeName(ResetMode mode) {
  switch (mode) {
    case ResetMode::kDiscard: return "discard";
    case ResetMode::kRecover: return "recover";
    case ResetMode::kManual: return "manual";
  }
  return "?";
}

bool ServerModel::Holds(uint64_t client_id, Lsn lsn) const {
  return std::any_of(history.begin(), history.end(), [&](const Changeset& c) {
    return c.client_id == client_id && c.lsn == lsn;
  });
}

bool DbModel::Applies(const std::vector<Operation>& ops) const {
  ObjectMap working = objects;
  for (const Operation& op : ops)
    if (!ApplyOne(op, working)) return false;
  return true;
}

void DbModel::Commit(const std::vector<Operation>& ops) {
  for (const Operation& op : ops) ApplyOne(op, objects);
  ModelEntry e;
  e.lsn = ++last_lsn;
  e.ops = ops;
  e.download_cursor = cursors.download_cursor;
  e.epoch = cursors.epoch;
  e.client_id = cursors.client_id;
  journal.push_back(std::move(e));
  durable = cursors;  // the commit's fsync covers every earlier write
}

std::vector<std::pair<std::string, FieldMap>> DbModel::Collection(
    const std::string& collection) const {
  std::vector<std::pair<std::string, FieldMap>> out;
  for (const auto& [id, fields] : objects)
    if (id.first == collection) out.emplace_back(id.second, fields);
  return out;
}

bool DbModel::ResetDemanded() const {
  if (cursors.client_id == 0) return false;  // a new client registers
  auto client = server.clients.find(cursors.client_id);
  if (client == server.clients.end()) return true;  // unknown client
  if (client->second.reset) return true;            // operator reset
  return cursors.epoch != server.epoch;             // restored from a backup
}

uint64_t DbModel::UploadAll() {
  ServerModel::Client& record = server.clients[cursors.client_id];
  uint64_t uploaded = 0;
  for (ModelEntry& e : journal) {
    if (e.lsn <= cursors.upload_cursor) continue;
    server.history.push_back({cursors.client_id, e.lsn, e.ops});
    FoldLenient(e.ops, server.state);
    record.highest_lsn = e.lsn;
    e.stored_as = cursors.client_id;
    e.stored_version = server.latest_version();
    ++uploaded;
  }
  cursors.upload_cursor = std::max(cursors.upload_cursor, record.highest_lsn);
  return uploaded;
}

SyncOutcome DbModel::Sync(ResetMode mode) {
  SyncOutcome out;
  auto register_client = [&] {
    cursors.client_id = server.next_client_id++;
    server.clients[cursors.client_id] = {};
    cursors.epoch = server.epoch;
  };
  if (!ResetDemanded()) {
    if (cursors.client_id == 0) register_client();
    // The hello: entries the server stored but whose ack was lost are sent
    // again, found the same as the stored ones and acknowledged (uploaded,
    // not stored again). The upload loop fsyncs the write-ahead log each
    // time it looks for entries, the last time after the last ack, so an
    // uploaded entry is never lost here (no client-rollback in this model).
    const Lsn held = server.clients[cursors.client_id].highest_lsn;
    uint64_t resent = 0;
    for (const ModelEntry& e : journal) resent += e.lsn > cursors.upload_cursor && e.lsn <= held;
    cursors.upload_cursor = std::max(cursors.upload_cursor, held);
    out.uploaded = resent + UploadAll();
    durable = cursors;
    // With one client every changeset downloaded is its own: the visible
    // state does not change.
    cursors.download_cursor = server.latest_version();
    // After the download the round looks for entries to upload once more
    // (a reset's replay may have committed some): another fsync.
    durable = cursors;
    cursors.sync_error = false;
    return out;
  }

  out.reset = true;
  if (mode == ResetMode::kManual) cursors.sync_error = true;  // the first SyncOnce fails
  // The reset record, the snapshot and the wipe are fsynced.
  durable = cursors;
  ModelRecovery recovery;
  for (const ModelEntry& e : journal)
    if (e.stored_as == 0 || !server.Holds(e.stored_as, e.lsn)) recovery.diverged.push_back(e);
  recoveries.push_back(std::move(recovery));
  out.recovery = recoveries.size() - 1;
  objects.clear();
  journal.clear();
  const bool error = cursors.sync_error;
  cursors = {};
  cursors.sync_error = error;
  // The next round: a new client file downloads the server's whole state.
  register_client();
  objects = server.state;
  cursors.download_cursor = server.latest_version();
  if (mode == ResetMode::kRecover) {
    ReplayFrom(recoveries.back());
    // The same sync uploads the replayed writes and downloads them back.
    UploadAll();
    cursors.download_cursor = server.latest_version();
  }
  durable = cursors;  // the reset's end is fsynced
  cursors.sync_error = false;
  return out;
}

uint64_t DbModel::ReplayFrom(ModelRecovery& recovery) {
  uint64_t applied = 0;
  for (; recovery.done < recovery.diverged.size(); ++recovery.done) {
    // An op that cannot apply is left out (merge rule 5); the rest commits,
    // and a transaction left with none is only marked done.
    std::vector<Operation> kept;
    ObjectMap working = objects;
    for (const Operation& op : recovery.diverged[recovery.done].ops)
      if (ApplyOne(op, working)) kept.push_back(op);
    if (kept.empty()) continue;
    Commit(kept);
    ++applied;
  }
  durable = cursors;  // the fsynced "replay complete" marker
  return applied;
}

uint64_t DbModel::Replay(size_t index) { return ReplayFrom(recoveries.at(index)); }

void DbModel::Restore(size_t backup) {
  // Client ids continue after the replaced lineage's: no id names two clients.
  const uint64_t next_client_id = server.next_client_id;
  server = backups.at(backup);
  server.next_client_id = std::max(server.next_client_id, next_client_id);
  server.epoch = next_epoch++;
}

}  // namespace journaldb::testing
