// GroupCommit: what one group commit of uploads does, apart from where it
// reads and writes, so both stores number, deduplicate and fold uploads by
// one algorithm: each job's lsns are checked (CheckUploadLsns), re-uploads
// are compared with what was stored under their lsn and acknowledged with
// the version their origin got, new entries get the next versions, their
// chain hashes, and are folded into the objects they touch.
//
//   GroupCommitPlan plan;
//   Status failure = PlanGroupCommit(jobs, latest, latest_hash, reads, &plan);
//   if (failure.ok()) failure = WriteAtomically(plan);  // the store's part
//   FinishGroupCommit(jobs, failure);
//
// Thread safety: none; the committer runs it.
#ifndef JOURNALDB_SERVER_GROUP_COMMIT_H_
#define JOURNALDB_SERVER_GROUP_COMMIT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "entry_digest.h"
#include "journaldb/object.h"
#include "journaldb/server/admission.h"
#include "journaldb/server/chain_hash.h"
#include "journaldb/server/server_storage.h"
#include "journaldb/status.h"

namespace journaldb::server {

// The list work (fold::ListWork) of one uploaded entry, measured on the
// server's lists. Above kMaxListWork, which commits check on the client's
// lists: another client's inserts may have made the server's lists longer.
// Refused before any of the entry is folded: an entry under it holds the
// committer for about 0.25 s at most (1.5 s if its ops name elements through
// long chains of moves; docs/server.md, "Limits").
inline constexpr uint64_t kMaxUploadListWork = 4 * kMaxListWork;

// The encoded size an uploaded entry may grow one of the server's objects
// to. Above kMaxObjectBytes, which commits check on the client's objects:
// upserts of several clients merge (docs/data-model.md). Without it a client
// that skips the commit check grew one object by an entry at a time, without
// bound: its encode, decode and bootstrap reads took memory in proportion
// (1.7 GB at 94 MiB), and past 1 GiB the object no longer decoded, failing
// every group commit that touched it. An entry that shrinks an object, or
// leaves it as large as it was, is taken at any size.
inline constexpr size_t kMaxUploadObjectBytes = 4 * kMaxObjectBytes;

// What one group commit may spend on each upload before the rest of it
// waits for the next group, behind the uploads queued meanwhile: list work
// (four entries' worth: about 1 s) and bytes of objects it decodes, copies
// and encodes (an entry on an object near kMaxUploadObjectBytes copies and
// encodes it to check its size: about 20 ms each; 4 GiB is about 30 such
// entries, a second). Checked before each entry, so a group may go past
// them by one entry's work; a job's first new entry in a group is always
// planned, so each group makes progress. Each group rewrites every object it
// touched whole, so a smaller share would make a large object's upload pay
// that again and again. Without them one upload held every other client's
// acks for all of its work: 500 small entries on a 62 MiB object, 11 s.
struct GroupCommitLimits {
  uint64_t entry_list_work = kMaxUploadListWork;  // an entry over it is refused
  size_t object_bytes = kMaxUploadObjectBytes;    // an entry growing one past it is refused
  uint64_t job_list_work = 4 * kMaxUploadListWork;
  uint64_t job_object_work = 64 * kMaxUploadObjectBytes;
};

// An entry the server stored: the version it got, and the digest of its
// bytes, against which a re-upload of the same lsn is compared. The origin
// index keeps the digest (entry_digest.h); an origin written before digests
// gets its stored changeset's, or nullopt once that changeset is trimmed
// (such a re-upload cannot be compared, and gets a client reset).
struct StoredOrigin {
  uint64_t version = 0;
  std::optional<EntryDigest> digest;
};

// What a group commit reads from its store, as of the commit's start.
class GroupCommitReads {
 public:
  virtual ~GroupCommitReads() = default;
  // The registry entry of `client_id`, nullopt if there is none.
  virtual Result<std::optional<ClientRecord>> Client(uint64_t client_id) = 0;
  // What was stored for the entry (client_id, lsn); nullopt if the origin
  // index has none.
  virtual Result<std::optional<StoredOrigin>> Origin(uint64_t client_id, Lsn lsn) = 0;
  // The stored object under a state key (layout::StateKey), encoded;
  // nullopt if there is none.
  virtual Result<std::optional<std::string>> StateObject(const std::string& key) = 0;

  // Reads ahead, in as few statements as the store can, what the calls
  // above will be asked for; they then answer from what was read. A store
  // whose every read is a round trip (PostgreSQL) makes a few instead of one
  // per client, origin and object, all under the lineage lock. It may leave
  // any of them unread (a memory bound): the calls above read those
  // themselves. A store that answers ReadsAhead() false is never asked.
  virtual bool ReadsAhead() const { return false; }
  // `client_ids` ascending, each once: a store that locks their rows locks
  // them in that order.
  virtual Status ReadAheadClients(const std::vector<uint64_t>& /*client_ids*/) {
    return Status::OK();
  }
  // Of the entries (client id, lsn) uploaded again.
  virtual Status ReadAheadOrigins(const std::vector<std::pair<uint64_t, Lsn>>& /*origins*/) {
    return Status::OK();
  }
  virtual Status ReadAheadObjects(const std::vector<std::string>& /*state_keys*/) {
    return Status::OK();
  }
};

// What a group commit writes, all in one atomic, durable step.
struct GroupCommitPlan {
  // The new latest version (the old one if nothing new was uploaded).
  uint64_t latest_version = 0;
  // New changesets in version order; each also goes into the origin index.
  std::vector<wire::Changeset> changesets;
  // The chain hash of each new changeset (same order), stored with it.
  std::vector<ChainHash> chain_hashes;
  // The digest of each new changeset's entry (same order), stored in the
  // origin index with its version.
  std::vector<EntryDigest> entry_digests;
  // The chain hash at latest_version.
  ChainHash latest_hash = kChainStart;
  // State key -> new object (nullopt: erased).
  std::map<std::string, std::optional<FieldMap>> state;
  // Client id -> highest stored lsn after the commit.
  std::map<uint64_t, Lsn> highest_lsns;
};

// Fills each job's ack (and the status of a job refused on its own: an
// unknown client, an lsn gap) and `plan`, starting at `latest`, whose chain
// hash is `latest_hash`. A job whose work reached `limits` is planned up to
// job->next_entry: once the plan is stored, the caller queues it again (a
// job continued so keeps its acks). A failed read fails the whole group.
Status PlanGroupCommit(const std::vector<UploadJob*>& jobs, uint64_t latest,
                       const ChainHash& latest_hash, GroupCommitReads& reads, GroupCommitPlan* plan,
                       const GroupCommitLimits& limits = {});

// After the store's write: a failure becomes the status of every job not
// already refused, and of a job refused with a client reset (it may have
// been decided against an entry the failed write did not store).
void FinishGroupCommit(const std::vector<UploadJob*>& jobs, const Status& failure);

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_GROUP_COMMIT_H_
