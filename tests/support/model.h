// Model: an independent, deliberately naive in-memory database that tests
// compare the engine against. It shares no code with the engine's fold, so a
// bug in op semantics cannot hide by being present on both sides.
#ifndef JOURNALDB_TESTS_SUPPORT_MODEL_H_
#define JOURNALDB_TESTS_SUPPORT_MODEL_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "journaldb/journal_entry.h"
#include "journaldb/operation.h"
#include "journaldb/value.h"

namespace journaldb::testing {

class Model {
 public:
  using Fields = std::map<std::string, Value>;
  using Id = std::pair<std::string, std::string>;  // (collection, key)

  // Applies a whole transaction: all ops or none. Returns false, leaving the
  // model unchanged, if an increment meets a non-int64 field.
  bool ApplyTransaction(const std::vector<Operation>& ops);

  // The before-images the journal must record for `ops` applied to the
  // current state (documented in journal_entry.h): one per distinct touched
  // field in first-touch order, erase-object touching every field the object
  // has at that point of the transaction, values from before the transaction.
  std::vector<BeforeImage> ExpectedBeforeImages(const std::vector<Operation>& ops) const;

  const std::map<Id, Fields>& objects() const { return objects_; }
  // nullptr if absent.
  const Fields* Find(const std::string& collection, const std::string& key) const;
  // Collections holding at least one object, sorted.
  std::vector<std::string> Collections() const;

 private:
  // Applies one op to a working copy; false if it cannot apply.
  static bool ApplyOne(const Operation& op, std::map<Id, Fields>& objects);
  std::map<Id, Fields> objects_;
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_SUPPORT_MODEL_H_
