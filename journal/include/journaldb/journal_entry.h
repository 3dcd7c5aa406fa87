// JournalEntry: one committed transaction as the journal records it.
//
//   journaldb::JournalReader it = db->ReadJournal(1);
//   for (; it.Valid(); it.Next())
//     std::cout << it.entry().lsn << " " << it.entry().ops.size() << "\n";
//   if (!it.status().ok()) return it.status();   // corruption names the lsn
//
// Thread safety: a value type.
#ifndef JOURNALDB_JOURNAL_ENTRY_H_
#define JOURNALDB_JOURNAL_ENTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "journaldb/operation.h"
#include "journaldb/value.h"

namespace journaldb {

// A journal entry's local sequence number: strictly increasing, never reused.
using Lsn = uint64_t;

// The state of one touched field before the transaction ran.
struct BeforeImage {
  std::string collection;
  std::string key;
  std::string field;
  bool object_existed = false;
  std::optional<Value> value;  // nullopt: the field was absent
  friend bool operator==(const BeforeImage&, const BeforeImage&) = default;
};

struct JournalEntry {
  Lsn lsn = 0;
  uint64_t download_cursor = 0;  // last synced server version at commit
  uint64_t epoch = 0;            // server lineage at commit; 0 if never synced
  uint64_t client_id = 0;        // 0 if no server has assigned one yet
  int64_t commit_time_us = 0;    // microseconds since the Unix epoch
  std::vector<Operation> ops;
  // One per distinct touched (collection, key, field), in first-touch order.
  // An erase-object op touches every field the object had.
  std::vector<BeforeImage> before;
  friend bool operator==(const JournalEntry&, const JournalEntry&) = default;
};

}  // namespace journaldb

#endif  // JOURNALDB_JOURNAL_ENTRY_H_
