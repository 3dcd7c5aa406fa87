#include "list_edits.h"

#include <fmt/format.h>
#include <rapidcheck.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "journaldb/journal/fold.h"

namespace journaldb::testing {

namespace {

constexpr const char* kCollection = "c";

std::optional<FieldMap> ReadObject(const Database& db, const std::string& key) {
  Result<Object> object = db.Get(kCollection, key);
  if (object.status().IsNotFound()) return std::nullopt;
  if (!object.ok()) RC_FAIL("read " + key + ": " + object.status().ToString());
  return std::move(object->fields);
}

}  // namespace

void CommitListEdits(Database& db, uint32_t seed, uint64_t tag) {
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  // The objects as the transaction sees them, to pick ids from.
  std::map<std::string, std::optional<FieldMap>> view;
  Transaction t = db.BeginTransaction();
  const size_t edits = 1 + pick(3);
  for (size_t i = 0; i < edits; ++i) {
    const std::string& key = kListKeys[pick(4) == 0 ? 1 : 0];
    auto [slot, fresh] = view.try_emplace(key);
    if (fresh) slot->second = ReadObject(db, key);
    std::optional<FieldMap>& object = slot->second;
    const Value* field = nullptr;
    if (object)
      if (auto f = object->find(kListField); f != object->end()) field = &f->second;
    std::vector<ElementId> present;
    if (field != nullptr && field->type() == ValueType::kList)
      for (const ListElement& e : field->as_list().elements)
        if (!e.removed) present.push_back(e.id);
    auto any_present = [&] { return present[pick(present.size())]; };
    // An element cannot follow itself: a move's anchor is another one.
    auto anchor = [&](std::optional<ElementId> moving = std::nullopt) -> std::optional<ElementId> {
      if (present.empty() || pick(3) == 0) return std::nullopt;
      const ElementId after = any_present();
      if (after == moving) return std::nullopt;
      return after;
    };
    const Value unique = Value::String(fmt::format("v{}.{}", tag, i));
    const size_t r = pick(40);
    Status s;
    if (field != nullptr && field->type() != ValueType::kList) {
      s = t.EraseField(kCollection, key, kListField);
    } else if (present.empty() || r < 16) {
      s = t.ListInsert(kCollection, key, kListField, anchor(), unique).status();
    } else if (r < 22) {
      s = t.ListRemove(kCollection, key, kListField, any_present());
    } else if (r < 28) {
      s = t.ListSet(kCollection, key, kListField, any_present(), unique);
    } else if (r < 38) {
      const ElementId element = any_present();
      s = t.ListMove(kCollection, key, kListField, element, anchor(element)).status();
    } else if (r == 38) {
      s = t.EraseField(kCollection, key, kListField);
    } else {
      FieldMap over;
      over[kListField] = Value::Int(static_cast<int64_t>(tag));
      s = t.Upsert(kCollection, key, std::move(over));
    }
    if (!s.ok()) RC_FAIL("list edit on " + key + ": " + s.ToString());
    s = fold::ApplyOperation(t.ops().back(), object);
    if (!s.ok()) RC_FAIL("list edit on " + key + " does not fold: " + s.ToString());
  }
  Result<Lsn> lsn = t.Commit();
  if (!lsn.ok()) RC_FAIL("commit list edits: " + lsn.status().ToString());
}

ListCheck CheckListPromises(const StateDump& state, const std::vector<wire::Changeset>& history) {
  ListCheck check;
  std::string& out = check.violations;
  for (const std::string& key : kListKeys) {
    auto object = state.find({kCollection, key});
    if (object == state.end()) continue;
    auto field = object->second.find(kListField);
    if (field == object->second.end() || field->second.type() != ValueType::kList) continue;
    const std::vector<ListElement>& elements = field->second.as_list().elements;
    const std::string where = fmt::format("{}/{}.{}", kCollection, key, kListField);

    std::map<ElementId, size_t> position;  // tombstones included
    for (size_t i = 0; i < elements.size(); ++i) position[elements[i].id] = i;
    // Anchor (nullopt: the head) -> (position, order of arrival at the
    // server) of the elements placed after it.
    std::map<std::optional<ElementId>, std::vector<std::pair<size_t, size_t>>> placed_after;
    size_t arrival = 0;
    for (const wire::Changeset& c : history)
      for (const Operation& op : c.entry.ops) {
        if (op.collection != kCollection || op.key != key || op.field != kListField) continue;
        if (op.kind == OpKind::kListRemove) {
          const ListElement* e = fold::FindListElement(field->second.as_list(), op.element);
          if (e != nullptr && !e->removed)
            out += fmt::format("{}: element {} removed at server version {} is present as {}\n",
                               where, op.element.ToString(), c.server_version, e->id.ToString());
        }
        ++arrival;
        if (op.kind != OpKind::kListInsert && op.kind != OpKind::kListMove) continue;
        // Gone with an erased list, or a move that was a no-op.
        auto placed = position.find(op.kind == OpKind::kListInsert ? op.element : op.moved_to);
        if (placed == position.end()) continue;
        // An anchor moved away resolves to wherever it was at the time.
        if (op.after) {
          auto anchor = position.find(*op.after);
          if (anchor == position.end() || elements[anchor->second].moved_to) continue;
        }
        placed_after[op.after].emplace_back(placed->second, arrival);
      }
    for (auto& [anchor, places] : placed_after) {
      std::sort(places.begin(), places.end());
      for (size_t i = 0; i < places.size(); ++i)
        for (size_t j = i + 1; j < places.size(); ++j)
          if (places[i].second < places[j].second) ++check.placed_before_greater;
      for (size_t i = 1; i < places.size(); ++i) {
        const ElementId& first = elements[places[i - 1].first].id;
        const ElementId& second = elements[places[i].first].id;
        if (first < second)
          out += fmt::format(
              "{}: {} and {} were both placed after {}, and the lesser id is first\n", where,
              first.ToString(), second.ToString(), anchor ? anchor->ToString() : "the head");
      }
    }

    std::set<std::string> values;
    for (const ListElement& e : elements)
      if (!e.removed && !values.insert(e.value.ToString()).second)
        out += fmt::format("{}: value {} is present twice\n", where, e.value.ToString());
  }
  return check;
}

}  // namespace journaldb::testing
