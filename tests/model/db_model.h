// DbModel: what the model-based test believes the database holds: a plain map
// of objects and the list of committed transactions (entry i has lsn i + 1).
// Written independently of the engine's fold, from the op semantics in
// journal/include/journaldb/operation.h, so a shared mistake cannot hide.
#ifndef JOURNALDB_TESTS_MODEL_DB_MODEL_H_
#define JOURNALDB_TESTS_MODEL_DB_MODEL_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "journaldb/operation.h"

namespace journaldb::testing {

struct DbModel {
  using Id = std::pair<std::string, std::string>;  // (collection, key)
  std::map<Id, FieldMap> objects;
  std::vector<std::vector<Operation>> journal;

  // Whether the transaction applies (no increment meets a non-int64 field).
  bool Applies(const std::vector<Operation>& ops) const;
  // Applies the transaction and appends it to the journal.
  // REQUIRES: Applies(ops).
  void Commit(const std::vector<Operation>& ops);
  // The collection's objects in key order.
  std::vector<std::pair<std::string, FieldMap>> Collection(const std::string& collection) const;
};

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_MODEL_DB_MODEL_H_
