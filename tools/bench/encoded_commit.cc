#include "encoded_commit.h"

#include <chrono>

#include "bench.h"
#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"

namespace journaldb::bench {

EncodedCommit EncodeCommit(uint64_t i) {
  const std::string key = ObjectKey(i);
  FieldMap fields;
  fields.emplace(kField, Value::String(Payload()));
  JournalEntry entry;
  entry.lsn = i + 1;
  entry.commit_time_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  entry.ops.push_back(Operation::Upsert(kCollection, key, fields));
  // A new object: the field's before-image is "no object".
  entry.before.push_back(BeforeImage{kCollection, key, kField, false, std::nullopt});
  // The running counts a commit stores with its entry (one op per entry).
  const codec::JournalTally tally{entry.lsn, entry.lsn};
  return {layout::StateKey(kCollection, key), codec::EncodeObject(fields), entry.lsn,
          layout::LsnKey(entry.lsn), codec::EncodeEntry(entry, &tally)};
}

}  // namespace journaldb::bench
