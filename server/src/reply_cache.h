// ReplyCache: changesets reply frames shared by every connection that asks
// for the same one. A commit wakes every long-polling download, all at the
// same download cursor; the first to reply reads the changesets and encodes
// the frame, the others (waiting for that build rather than repeating it)
// send the same immutable bytes, charged to the budget for frames in flight
// once (OutboundFrame).
//
// What a changesets reply holds depends only on the Key: the changesets
// after `from_version` (the server's max_changeset_bytes is fixed), the
// chain hash at the last one, and the latest version. Nothing in it is per
// client: a client's own uploads come back to it as to everyone (their
// origin names them), and per-client fields (a bootstrap page's
// client_highest_lsn) are in other messages, which are not cached.
//
//   ReplyCache cache(4);
//   Result<SharedFrame> frame = cache.Get({epoch, from, latest}, [&] { return Build(); });
//
// Thread safety: all methods may be called from any thread at once.
#ifndef JOURNALDB_SERVER_REPLY_CACHE_H_
#define JOURNALDB_SERVER_REPLY_CACHE_H_

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "journaldb/status.h"
#include "outbound_frame.h"

namespace journaldb::server {

class ReplyCache {
 public:
  struct Key {
    uint64_t epoch = 0;
    uint64_t from_version = 0;    // the requester's download cursor
    uint64_t latest_version = 0;  // the server's when the reply was asked for
    bool operator==(const Key&) const = default;
  };

  // Keeps at most `capacity` built frames; the oldest goes first.
  explicit ReplyCache(size_t capacity) : capacity_(capacity) {}

  // The frame for `key`: the cached one, or the one `build` returns (kept,
  // unless it failed; an exception from `build`, such as std::bad_alloc, is
  // an IOError). Callers asking for a key being built wait for that build;
  // if it fails, each builds for itself. Cached frames of another
  // epoch, or of a latest version above key.latest_version (a history that
  // went back), are dropped first.
  Result<SharedFrame> Get(const Key& key, const std::function<Result<SharedFrame>()>& build);

  // Drops the cached frames no connection holds, giving their charges back
  // (the budget's reclaimer). Returns how many were dropped.
  size_t DropUnsent();

 private:
  struct Entry {
    Key key;
    SharedFrame frame;  // null while being built
  };

  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable built_;  // a build ended
  std::deque<Entry> entries_;      // oldest first
};

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_REPLY_CACHE_H_
