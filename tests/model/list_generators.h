// List edits for the model-based test: transactions of list ops (now and then
// mixed with the pool's scalar ops) whose ids come from the lists the model
// holds, so most apply, plus a few that may not (a set or move of a removed
// or unknown element, a reused id, a list op on a scalar field): the fold
// decides, and the engine must refuse a transaction with one that cannot
// apply whole. Ids are chosen here, as a
// replica would (Lamport counters), not by the Transaction list API, so the
// model can predict the journal's ops exactly.
#ifndef JOURNALDB_TESTS_MODEL_LIST_GENERATORS_H_
#define JOURNALDB_TESTS_MODEL_LIST_GENERATORS_H_

#include <rapidcheck.h>

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "journaldb/operation.h"
#include "model/db_model.h"
#include "model/pool_generators.h"

namespace journaldb::testing {

// Lists live in field "l", and in "x", which the pool's scalar ops also
// write (so increments and upserts meet lists, and list ops meet scalars).
inline rc::Gen<std::string> ListFieldName() {
  return rc::gen::weightedElement<std::string>({{3, "l"}, {1, "x"}});
}

// One list op on a list of `objects` (or a field that may become one).
inline Operation ListOperation(const ObjectMap& objects) {
  std::vector<std::tuple<std::string, std::string, std::string>> lists;
  for (const auto& [id, fields] : objects)
    for (const auto& [name, value] : fields)
      if (value.type() == ValueType::kList) lists.emplace_back(id.first, id.second, name);
  std::string c, k, f;
  if (!lists.empty() && *rc::gen::inRange(0, 4) != 0) {
    std::tie(c, k, f) = *rc::gen::elementOf(lists);
  } else {
    c = *rc::gen::elementOf(kCollections);
    k = *rc::gen::elementOf(kKeys);
    f = *ListFieldName();
  }
  std::vector<ElementId> all, present;
  uint64_t top = 0;
  if (auto obj = objects.find({c, k}); obj != objects.end())
    if (auto v = obj->second.find(f);
        v != obj->second.end() && v->second.type() == ValueType::kList)
      for (const ListElement& e : v->second.as_list().elements) {
        all.push_back(e.id);
        if (!e.removed) present.push_back(e.id);
        top = std::max(top, e.id.counter);
      }
  // Mostly a present element; now and then a tombstone or an unknown id.
  auto existing = [&]() -> ElementId {
    const int r = *rc::gen::inRange(0, 10);
    if (!present.empty() && r < 8) return *rc::gen::elementOf(present);
    if (!all.empty() && r < 9) return *rc::gen::elementOf(all);
    return ElementId{top + 100, 0xa};
  };
  auto anchor = [&]() -> std::optional<ElementId> {
    if (all.empty() || *rc::gen::inRange(0, 4) == 0) return std::nullopt;
    return existing();
  };
  // Above the list (a later insert), or now and then lower, as a concurrent
  // replica's would be (it may then clash with an id already there).
  auto fresh = [&]() -> ElementId {
    const uint64_t counter =
        *rc::gen::inRange(0, 4) == 0 ? *rc::gen::inRange<uint64_t>(1, top + 2) : top + 1;
    return ElementId{counter, *rc::gen::element(uint64_t{0xa}, uint64_t{0xb})};
  };
  for (;;) {
    Operation op;
    switch (*rc::gen::weightedElement<int>({{5, 0}, {2, 1}, {2, 2}, {2, 3}})) {
      case 0:
        op = Operation::ListInsert(c, k, f, anchor(), fresh(), *SmallValue());
        break;
      case 1:
        op = Operation::ListRemove(c, k, f, existing());
        break;
      case 2:
        op = Operation::ListSet(c, k, f, existing(), *SmallValue());
        break;
      default:
        op = Operation::ListMove(c, k, f, existing(), anchor(), fresh());
        break;
    }
    // An element following itself, or a move keeping its id: try again.
    if (op.Validate().ok()) return op;
  }
}

// 1 to 4 ops, each chosen from the state the earlier ones leave.
inline std::vector<Operation> ListTransaction(const ObjectMap& objects) {
  ObjectMap working = objects;
  std::vector<Operation> ops;
  const int n = *rc::gen::inRange(1, 5);
  for (int i = 0; i < n; ++i) {
    ops.push_back(*rc::gen::inRange(0, 6) == 0 ? *PoolOperation() : ListOperation(working));
    FoldLenient({ops.back()}, working);
  }
  return ops;
}

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_MODEL_LIST_GENERATORS_H_
