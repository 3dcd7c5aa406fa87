// The list ops of Transaction: each checks its ids against the list as the
// transaction sees it, so a mistaken id fails here, naming it, instead of
// merging as a no-op (docs/merge-semantics.md, "Lists").
#include <fmt/format.h>

#include "db_impl.h"
#include "journaldb/journal/fold.h"
#include "journaldb/journal/text.h"

namespace journaldb {

ElementId DatabaseImpl::NextElementId(const Value* list) {
  uint64_t floor = 0;
  if (list != nullptr)
    for (const ListElement& e : list->as_list().elements) floor = std::max(floor, e.id.counter);
  // Above both the list (Lamport order) and every id this open gave (unique).
  uint64_t last = element_counter_.load();
  while (!element_counter_.compare_exchange_weak(last, std::max(last, floor) + 1)) {
  }
  return ElementId{std::max(last, floor) + 1, element_replica_};
}

Result<std::optional<Value>> Transaction::ListView(
    const Operation& op, std::initializer_list<std::optional<ElementId>> present) {
  if (finished_) return Status::FailedPrecondition("transaction already committed or rolled back");
  // The names first; the whole op once its new id is chosen (Append).
  if (Status s = Operation::EraseField(op.collection, op.key, op.field).Validate(); !s.ok())
    return s;
  auto [view, fresh] = views_.try_emplace({op.collection, op.key});
  if (fresh) {
    Result<Object> stored = db_->Get(op.collection, op.key, ReadOptions{});
    if (stored.ok()) {
      view->second.object = std::move(stored->fields);
    } else if (!stored.status().IsNotFound()) {
      views_.erase(view);
      return stored.status();
    }
  }
  std::optional<FieldMap>& object = view->second.object;
  for (size_t& i = view->second.applied; i < ops_.size(); ++i)
    if (ops_[i].collection == op.collection && ops_[i].key == op.key)
      fold::ApplyOperation(ops_[i], object).IgnoreError();  // Commit reports it
  std::optional<Value> list;
  if (object)
    if (auto it = object->find(op.field); it != object->end()) list = it->second;
  const std::string where = fmt::format("{}/{}.{}", op.collection, text::Quoted(op.key), op.field);
  if (list && list->type() != ValueType::kList)
    return Status::InvalidArgument(fmt::format("{} {}: the field holds a {} value, not a list",
                                               OpKindName(op.kind), where,
                                               ValueTypeName(list->type())));
  for (const std::optional<ElementId>& id : present) {
    if (!id) continue;
    const ListElement* e = list ? fold::FindListElement(list->as_list(), *id) : nullptr;
    if (e == nullptr || e->removed)
      return Status::NotFound(fmt::format("{} {}: no element {} in the list{}", OpKindName(op.kind),
                                          where, id->ToString(),
                                          !list ? " (there is no list)"
                                          : e   ? " (it was removed)"
                                                : ""));
  }
  return list;
}

Status Transaction::Append(Operation op) {
  if (Status s = op.Validate(); !s.ok()) return s;
  ops_.push_back(std::move(op));
  return Status::OK();
}

Result<ElementId> Transaction::ListInsert(std::string_view collection, std::string_view key,
                                          std::string_view field, std::optional<ElementId> after,
                                          Value value) {
  Operation op = Operation::ListInsert(std::string(collection), std::string(key),
                                       std::string(field), after, ElementId{}, std::move(value));
  Result<std::optional<Value>> list = ListView(op, {after});
  if (!list.ok()) return list.status();
  op.element = db_->NextElementId(*list ? &**list : nullptr);
  if (Status s = Append(std::move(op)); !s.ok()) return s;
  return ops_.back().element;
}

Status Transaction::ListRemove(std::string_view collection, std::string_view key,
                               std::string_view field, ElementId element) {
  Operation op =
      Operation::ListRemove(std::string(collection), std::string(key), std::string(field), element);
  if (Result<std::optional<Value>> list = ListView(op, {element}); !list.ok()) return list.status();
  return Append(std::move(op));
}

Status Transaction::ListSet(std::string_view collection, std::string_view key,
                            std::string_view field, ElementId element, Value value) {
  Operation op = Operation::ListSet(std::string(collection), std::string(key), std::string(field),
                                    element, std::move(value));
  if (Result<std::optional<Value>> list = ListView(op, {element}); !list.ok()) return list.status();
  return Append(std::move(op));
}

Result<ElementId> Transaction::ListMove(std::string_view collection, std::string_view key,
                                        std::string_view field, ElementId element,
                                        std::optional<ElementId> after) {
  Operation op = Operation::ListMove(std::string(collection), std::string(key), std::string(field),
                                     element, after, ElementId{});
  Result<std::optional<Value>> list = ListView(op, {element, after});
  if (!list.ok()) return list.status();
  op.moved_to = db_->NextElementId(&**list);
  if (Status s = Append(std::move(op)); !s.ok()) return s;
  return ops_.back().moved_to;
}

}  // namespace journaldb
