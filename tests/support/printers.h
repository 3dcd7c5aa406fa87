// gtest printers for journaldb values, so a failed EXPECT_EQ shows readable
// ops, before-images and entries instead of raw object bytes. Found by
// argument-dependent lookup.
#ifndef JOURNALDB_TESTS_SUPPORT_PRINTERS_H_
#define JOURNALDB_TESTS_SUPPORT_PRINTERS_H_

#include <ostream>

#include "journaldb/journal_entry.h"
#include "journaldb/object.h"
#include "journaldb/operation.h"
#include "journaldb/value.h"

namespace journaldb {

inline void PrintTo(const Value& v, std::ostream* os) {
  *os << ValueTypeName(v.type()) << " " << v.ToString();
}

inline void PrintTo(const Operation& op, std::ostream* os) { *os << op.ToString(); }

inline void PrintTo(const BeforeImage& img, std::ostream* os) {
  *os << img.collection << "/" << Value::String(img.key).ToString() << "." << img.field << " was ";
  if (img.value)
    PrintTo(*img.value, os);
  else
    *os << (img.object_existed ? "absent" : "no object");
}

inline void PrintTo(const JournalEntry& e, std::ostream* os) {
  *os << "entry lsn " << e.lsn << " cursor " << e.download_cursor << " epoch " << e.epoch
      << " client " << e.client_id << " time " << e.commit_time_us << " ops [";
  for (const Operation& op : e.ops) *os << op.ToString() << "; ";
  *os << "] before [";
  for (const BeforeImage& img : e.before) {
    PrintTo(img, os);
    *os << "; ";
  }
  *os << "]";
}

}  // namespace journaldb

#endif  // JOURNALDB_TESTS_SUPPORT_PRINTERS_H_
