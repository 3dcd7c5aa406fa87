#include "group_commit.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "journaldb/journal/codec.h"
#include "journaldb/journal/fold.h"
#include "journaldb/journal/layout.h"
#include "journaldb/journal/text.h"
#include "journaldb/journal/wall_clock.h"
#include "journaldb/server/upload_lsns.h"

namespace journaldb::server {

namespace {

// What one op, and each field of an upsert, can add to an object's encoded
// size beyond the bytes the entry spends on it: a list element's id and
// table, a move's tombstone forwarding (the moved value moves, it is not
// copied); a field's table, and its value's, which a forged entry may share
// among all its fields (the verifier allows shared offsets, and the decode
// budget charges strings, not scalar tables), where the object stores one
// each: about 44 bytes against 24 in the entry.
constexpr size_t kOpGrowthBound = 128;
constexpr size_t kFieldGrowthBound = 64;

// Why re-upload `e` of a client whose highest stored lsn is `highest` may
// not be acknowledged as the entry stored under its lsn; nullopt if it is
// that entry (or no origin was found).
Result<std::optional<std::string>> Mismatch(const std::optional<StoredOrigin>& stored,
                                            const wire::UploadEntry& e, Lsn highest) {
  // Below the client's highest stored lsn but never stored: its first upload
  // started above it (lsns go on across client resets). Acknowledging would
  // lose the entry; a reset replays it, and with it the stored lsns above it
  // a second time: an honest client never gets here (its uploads start at
  // its journal floor, where its first upload under this id started).
  if (!stored)
    return std::optional<std::string>(fmt::format(
        "the server stored no entry under the client's lsn {} (its stored lsns start above "
        "it), so it cannot acknowledge it",
        e.lsn));
  // An origin written before digests whose changeset was trimmed since
  // cannot be compared. Acknowledging it would lose a different entry;
  // a reset replays it, at worst a second time (docs/client-reset.md).
  if (!stored->digest)
    return std::optional<std::string>(fmt::format(
        "the server cannot compare the client's lsn {} with the entry it stored under it "
        "(version {}: its changeset was trimmed, and it was stored before servers kept entry "
        "digests), so it cannot acknowledge it",
        e.lsn, stored->version));
  Result<EntryDigest> digest = DigestEntry(e.bytes);
  if (!digest.ok()) return digest.status();
  if (*digest == *stored->digest) return std::optional<std::string>();
  return std::optional<std::string>(fmt::format(
      "the client's lsn {} is not the entry the server stored under it (version {}): the "
      "client's data went back after it uploaded up to lsn {}, and it wrote again",
      e.lsn, stored->version, highest));
}

// An upper bound of what entry `e` can add to the encoded size of any one
// object it touches.
size_t GrowthBound(const wire::UploadEntry& e) {
  size_t growth = e.bytes.size() + e.entry.ops.size() * kOpGrowthBound;
  for (const Operation& op : e.entry.ops) growth += op.fields.size() * kFieldGrowthBound;
  return growth;
}

size_t EncodedSize(const std::optional<FieldMap>& object) {
  return object ? codec::EncodeObject(*object).size() : 0;
}

// What the plan knows of a loaded object's encoded size: an upper bound,
// exact once the object was encoded in this plan.
struct SizeBound {
  size_t bytes = 0;
  bool exact = false;
};
using SizeBounds = std::map<std::string, SizeBound, std::less<>>;

// Whether entry `e` would grow an object of `state` (each loaded, with a
// bound of its encoded size in `bounds`) past `limit`: nullopt if not, else
// which object and to what size. Objects the bound clears are not encoded;
// the others are, with the entry applied to a copy, and what that copied and
// encoded is added to `work`. Afterwards each touched object's bound covers
// the entry.
std::optional<std::string> CheckObjectSizes(const wire::UploadEntry& e,
                                            const decltype(GroupCommitPlan::state)& state,
                                            size_t limit, SizeBounds& bounds, uint64_t& work) {
  const size_t growth = GrowthBound(e);
  std::vector<std::string> keys;  // of each op's object, in op order
  keys.reserve(e.entry.ops.size());
  for (const Operation& op : e.entry.ops) keys.push_back(layout::StateKey(op.collection, op.key));
  struct Measured {
    const Operation* first_op;  // names the object
    std::optional<FieldMap> copy;
  };
  std::map<std::string, Measured> measured;  // the objects the bound does not clear
  for (size_t i = 0; i < keys.size(); ++i)
    if (bounds.at(keys[i]).bytes + growth > limit && !measured.count(keys[i]))
      measured.emplace(keys[i], Measured{&e.entry.ops[i], state.at(keys[i])});
  fold::ForwardingIndex forwardings;
  for (size_t i = 0; i < keys.size(); ++i)
    if (auto m = measured.find(keys[i]); m != measured.end())
      fold::ApplyOperation(e.entry.ops[i], m->second.copy, forwardings).IgnoreError();
  std::map<std::string, size_t> after;
  for (const auto& [key, m] : measured) {
    SizeBound& bound = bounds[key];
    // An object the previous entry measured is not encoded again: an
    // upload of many small entries on one large object encodes it once each.
    const size_t before = bound.exact ? bound.bytes : EncodedSize(state.at(key));
    const size_t grown = EncodedSize(m.copy);
    work += before + (bound.exact ? 0 : before) + grown;  // the copy and the encodes
    bound = {before, true};
    if (grown > limit && grown > before)
      return fmt::format("it would grow object {}/{} to {} encoded bytes on the server",
                         m.first_op->collection, text::Quoted(m.first_op->key), grown);
    after[key] = grown;
  }
  // Taken: each touched object's bound covers it.
  std::set<std::string> raised;
  for (const std::string& key : keys) {
    if (auto a = after.find(key); a != after.end())
      bounds[key] = {a->second, true};
    else if (raised.insert(key).second)
      bounds[key] = {bounds[key].bytes + growth, false};
  }
  return std::nullopt;
}

// The names of the objects read ahead in a group: at most this many bytes
// and one op's key (on top of the entries that hold them); the plan reads
// the objects of the rest itself.
constexpr size_t kReadAheadKeyBytes = 4u << 20;

// Reads ahead what the plan asks its store for: each job's client, then for
// a client the store knows the stored origins of its entries at or below
// its highest stored lsn (re-uploads) and the objects its entries above it
// touch, from next_entry on.
Status ReadAheadForGroup(const std::vector<UploadJob*>& jobs, GroupCommitReads& reads) {
  std::set<uint64_t> clients;
  for (const UploadJob* job : jobs) clients.insert(job->client_id);
  if (Status s = reads.ReadAheadClients({clients.begin(), clients.end()}); !s.ok()) return s;
  std::vector<std::pair<uint64_t, Lsn>> origins;
  std::set<std::string> keys;
  size_t key_bytes = 0;
  for (const UploadJob* job : jobs) {
    Result<std::optional<ClientRecord>> r = reads.Client(job->client_id);
    if (!r.ok()) return r.status();
    if (!*r) continue;
    for (size_t i = job->next_entry; i < job->entries.size(); ++i) {
      const wire::UploadEntry& e = job->entries[i];
      if (e.lsn <= (*r)->highest_lsn) {
        origins.emplace_back(job->client_id, e.lsn);
        continue;
      }
      for (const Operation& op : e.entry.ops) {
        if (key_bytes >= kReadAheadKeyBytes) break;
        if (auto [k, added] = keys.insert(layout::StateKey(op.collection, op.key)); added)
          key_bytes += k->size();
      }
    }
  }
  if (!origins.empty())
    if (Status s = reads.ReadAheadOrigins(origins); !s.ok()) return s;
  return keys.empty() ? Status::OK() : reads.ReadAheadObjects({keys.begin(), keys.end()});
}

}  // namespace

Status PlanGroupCommit(const std::vector<UploadJob*>& jobs, uint64_t latest,
                       const ChainHash& latest_hash, GroupCommitReads& reads, GroupCommitPlan* plan,
                       const GroupCommitLimits& limits) {
  if (reads.ReadsAhead())
    if (Status s = ReadAheadForGroup(jobs, reads); !s.ok()) return s;
  uint64_t version = latest;
  plan->latest_hash = latest_hash;
  using StateIt = decltype(plan->state)::iterator;
  // A bound of each loaded object's encoded size: its stored size when read,
  // then raised by what each entry could add (GrowthBound).
  SizeBounds size_bounds;
  // The work of the job at hand in this group: list element steps, and the
  // bytes of objects it decoded, copied and encoded.
  uint64_t job_list_work = 0;
  uint64_t job_object_work = 0;
  // The objects first loaded for the entry at hand: a refused entry puts
  // them back, so the store does not rewrite objects nothing changed.
  std::vector<std::string> loaded_for_entry;
  auto Unload = [&] {
    for (const std::string& key : loaded_for_entry) {
      plan->state.erase(key);
      size_bounds.erase(key);
    }
  };
  // The object an op applies to, as the plan has it so far.
  auto Load = [&](const Operation& op) -> Result<StateIt> {
    std::string key = layout::StateKey(op.collection, op.key);
    auto t = plan->state.find(key);
    if (t != plan->state.end()) return t;
    Result<std::optional<std::string>> raw = reads.StateObject(key);
    if (!raw.ok()) return raw.status();
    std::optional<FieldMap> obj;
    if (*raw) {
      Result<FieldMap> f = codec::DecodeObject(**raw, op.key);
      if (!f.ok()) return f.status();
      obj = std::move(f).value();
    }
    size_bounds[key] = {*raw ? (*raw)->size() : 0, false};
    job_object_work += *raw ? (*raw)->size() : 0;
    loaded_for_entry.push_back(key);
    return plan->state.emplace(std::move(key), std::move(obj)).first;
  };
  // Entries planned in this group by (client, lsn): a second copy of a
  // client file uploading the same lsn in the same group is compared with
  // the first, which the store does not hold yet.
  std::map<std::pair<uint64_t, Lsn>, size_t> planned;
  auto Origin = [&](uint64_t client_id, Lsn lsn) -> Result<std::optional<StoredOrigin>> {
    if (auto p = planned.find({client_id, lsn}); p != planned.end())
      return std::optional<StoredOrigin>(
          StoredOrigin{plan->changesets[p->second].server_version, plan->entry_digests[p->second]});
    return reads.Origin(client_id, lsn);
  };
  const int64_t now = NowMicros();
  // Kept over the whole plan: each op naming a moved element through a long
  // chain would otherwise map its list's forwardings anew.
  fold::ForwardingIndex forwardings;
  for (UploadJob* job : jobs) {
    Lsn highest = 0;
    if (auto u = plan->highest_lsns.find(job->client_id); u != plan->highest_lsns.end()) {
      highest = u->second;
    } else {
      Result<std::optional<ClientRecord>> r = reads.Client(job->client_id);
      if (!r.ok()) return r.status();
      if (!*r) {
        job->status = Status::NotFound(fmt::format("client {} is not registered", job->client_id));
        continue;
      }
      highest = (*r)->highest_lsn;
    }
    // A job continued from an earlier group keeps the acks it got there,
    // unless what they acknowledge is no longer all stored (the history went
    // back meanwhile): then it is planned whole again, compared as a
    // re-upload with what is left.
    if (job->next_entry > 0 && !job->ack.acks.empty() && job->ack.acks.back().lsn > highest)
      job->next_entry = 0;
    if (job->next_entry == 0) job->ack = {};
    if (Status s = CheckUploadLsns(job->client_id, highest, job->entries); !s.ok()) {
      job->status = std::move(s);
      continue;
    }
    job_list_work = job_object_work = 0;
    bool planned_one = false;  // of the job's new entries, in this group
    size_t i = job->next_entry;
    job->next_entry = job->entries.size();
    for (; i < job->entries.size(); ++i) {
      const wire::UploadEntry& e = job->entries[i];
      if (e.lsn <= highest) {
        // A re-upload after a lost ack: answer with the version it got.
        Result<std::optional<StoredOrigin>> got = Origin(job->client_id, e.lsn);
        if (!got.ok()) return got.status();
        Result<std::optional<std::string>> mismatch = Mismatch(*got, e, highest);
        if (!mismatch.ok()) return mismatch.status();
        if (*mismatch) {
          // The client's data went back (a restored backup, a damaged log)
          // and it wrote again under lsns it had uploaded: acknowledging
          // would drop the new entry. The entries before it are the stored
          // ones; a client reset replays the rest (docs/protocol.md).
          job->status = Status::ClientResetRequired(std::move(**mismatch));
          job->rolled_back_after = e.lsn - 1;
          break;
        }
        job->ack.acks.push_back({e.lsn, (*got)->version});
        continue;
      }
      // The rest of a job that took its share of this group's work waits
      // for the next group, behind the jobs queued meanwhile.
      if (planned_one && job_object_work >= limits.job_object_work) {
        job->next_entry = i;
        break;
      }
      loaded_for_entry.clear();
      Status read;
      const uint64_t list_work = fold::ListWork(e.entry.ops, [&](const Operation& op) {
        Result<StateIt> t = Load(op);
        if (!t.ok()) read = t.status();
        return t.ok() ? fold::ListLength((*t)->second, op.field) : 0;
      });
      if (!read.ok()) return read;
      if (list_work > limits.entry_list_work) {
        // The entries before it are stored; the client is told which one is not.
        job->status = Status::InvalidArgument(fmt::format(
            "upload entry lsn {}: its list ops take {} list element steps to apply to the "
            "server's lists; the limit is {}: split the transaction",
            e.lsn, list_work, limits.entry_list_work));
        job->entry_refused = true;
        Unload();
        break;
      }
      if (planned_one && (job_list_work + list_work > limits.job_list_work ||
                          job_object_work > limits.job_object_work)) {
        Unload();
        job->next_entry = i;
        break;
      }
      job_list_work += list_work;
      for (const Operation& op : e.entry.ops)
        if (Result<StateIt> t = Load(op); !t.ok()) return t.status();
      if (std::optional<std::string> too_large =
              CheckObjectSizes(e, plan->state, limits.object_bytes, size_bounds, job_object_work)) {
        job->status = Status::InvalidArgument(
            fmt::format("upload entry lsn {}: {}; the limit is {}: store less in it", e.lsn,
                        *too_large, limits.object_bytes));
        job->entry_refused = true;
        Unload();
        break;
      }
      ++version;
      planned[{job->client_id, e.lsn}] = plan->changesets.size();
      plan->changesets.push_back({version, job->client_id, e.lsn, now, e.bytes, {}});
      Result<ChainHash> hash = NextChainHash(plan->latest_hash, plan->changesets.back());
      if (!hash.ok()) return hash.status();
      Result<EntryDigest> digest = DigestEntry(e.bytes);
      if (!digest.ok()) return digest.status();
      plan->latest_hash = *hash;
      plan->chain_hashes.push_back(*hash);
      plan->entry_digests.push_back(*digest);
      for (const Operation& op : e.entry.ops) {
        Result<StateIt> t = Load(op);
        if (!t.ok()) return t.status();
        // An op that cannot apply at this point of the server's order (an
        // increment of a non-int64 field) is a no-op everywhere
        // (docs/merge-semantics.md).
        fold::ApplyOperation(op, (*t)->second, forwardings).IgnoreError();
      }
      highest = e.lsn;
      job->ack.acks.push_back({e.lsn, version});
      planned_one = true;
    }
    job->ack.highest_lsn = highest;
    plan->highest_lsns[job->client_id] = highest;
  }
  plan->latest_version = version;
  return Status::OK();
}

void FinishGroupCommit(const std::vector<UploadJob*>& jobs, const Status& failure) {
  if (failure.ok()) return;
  // A reset decided against an entry of this group, which is not stored
  // now, is decided again when the client retries.
  for (UploadJob* job : jobs)
    if (job->status.ok() || job->status.IsClientResetRequired()) job->status = failure;
}

}  // namespace journaldb::server
