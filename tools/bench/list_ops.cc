#include "list_ops.h"

#include <fmt/format.h>

namespace journaldb::bench {

std::string ListKey(uint64_t i) { return fmt::format("list-{:010}", i); }

ListWriter::Elements& ListWriter::At(uint64_t list) {
  if (lists_.size() <= list) lists_.resize(list + 1);
  return lists_[list];
}

Value ListWriter::NextValue() { return Value::String(fmt::format("card-{:011}", values_++)); }

Status ListWriter::Insert(Transaction& t, uint64_t list) {
  Elements& e = At(list);
  std::optional<ElementId> after;
  if (Below(2) == 0 && e.tail) {
    after = e.tail;
  } else if (!e.present.empty()) {
    const uint64_t i = Below(e.present.size() + 1);  // present.size(): the head
    if (i < e.present.size()) after = e.present[i];
  }
  Result<ElementId> id =
      t.ListInsert(kListCollection, ListKey(list), kListField, after, NextValue());
  if (!id.ok()) return id.status();
  // A new id is above every id in the list, so it lands right after its
  // anchor (RGA placement): it is the new tail if the anchor was, or if no
  // element was present.
  if ((after && after == e.tail) || e.present.empty()) e.tail = *id;
  e.present.push_back(*id);
  return Status::OK();
}

Status ListWriter::Edit(Transaction& t, uint64_t list) {
  Elements& e = At(list);
  const uint64_t roll = Below(10);
  if (roll < 7 || e.present.empty()) return Insert(t, list);
  const uint64_t i = Below(e.present.size());
  const ElementId id = e.present[i];
  if (roll == 7) return t.ListSet(kListCollection, ListKey(list), kListField, id, NextValue());
  if (roll == 8) {
    if (Status s = t.ListRemove(kListCollection, ListKey(list), kListField, id); !s.ok()) return s;
    e.present[i] = e.present.back();
    e.present.pop_back();
    if (e.tail == id) e.tail.reset();  // unknown: inserts go to random places until none is left
    return Status::OK();
  }
  // Move to the head: the moved element is no tail then.
  Result<ElementId> moved =
      t.ListMove(kListCollection, ListKey(list), kListField, id, std::nullopt);
  if (!moved.ok()) return moved.status();
  e.present[i] = *moved;
  if (e.tail == id)
    e.tail = e.present.size() == 1 ? std::optional<ElementId>(*moved) : std::nullopt;
  return Status::OK();
}

}  // namespace journaldb::bench
