#include "journaldb/journal/fold.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <tuple>

#include "journaldb/journal/text.h"

namespace journaldb::fold {

namespace {

using Elements = std::vector<ListElement>;
constexpr size_t kNone = static_cast<size_t>(-1);
// Hops of a forwarding chain Resolve follows a scan each before it maps the list.
constexpr size_t kScannedHops = 4;

size_t Find(const Elements& elements, ElementId id) {
  for (size_t i = 0; i < elements.size(); ++i)
    if (elements[i].id == id) return i;
  return kNone;
}

// A list's forwardings as a fold keeps them, old id -> a later id of its
// chain, sorted by old id: ordered, not hashed, so ids a writer picks cannot
// make lookups collide in a map that lives for a whole fold.
using Forwardings = std::vector<std::pair<ElementId, ElementId>>;

Forwardings::iterator Lookup(Forwardings& forwardings, ElementId id) {
  auto it = std::lower_bound(forwardings.begin(), forwardings.end(), id,
                             [](const auto& f, ElementId x) { return f.first < x; });
  return it != forwardings.end() && it->first == id ? it : forwardings.end();
}

// Follows `id` through `forwardings`, at most `max_hops`, to where it leads.
// A chain that ends is compressed, each id on it forwarded straight to the
// end, so the next op naming any of them takes one hop (a later move of the
// end adds one). A loop (damaged forwarding) never ends, is never compressed,
// and stops after max_hops, as it would hop by hop.
ElementId Follow(Forwardings& forwardings, ElementId id, size_t max_hops) {
  ElementId at = id;
  for (size_t hops = 0; hops < max_hops; ++hops) {
    auto next = Lookup(forwardings, at);
    if (next == forwardings.end()) break;
    at = next->second;
  }
  if (Lookup(forwardings, at) != forwardings.end()) return at;
  for (ElementId on = id; on != at;) {
    auto next = Lookup(forwardings, on);
    on = next->second;
    next->second = at;
  }
  return at;
}

// Every forwarding of a list, sorted.
Forwardings MapForwardings(const Elements& elements) {
  Forwardings forwardings;
  for (const ListElement& e : elements)
    if (e.moved_to) forwardings.emplace_back(e.id, *e.moved_to);
  std::sort(forwardings.begin(), forwardings.end());
  return forwardings;
}

// One list's forwardings as a fold keeps them between ops.
struct KeptForwardings {
  bool mapped = false;      // `forwardings` holds every forwarding of the list
  Forwardings forwardings;  // kept up to date by each move while mapped
  // The list as the fold's last op on it left it: a list put in its place by
  // other means than the fold differs here and is mapped anew.
  const ListElement* data = nullptr;
  size_t size = 0;
};

}  // namespace

struct ForwardingIndex::Lists {
  using Field = std::tuple<std::string, std::string, std::string>;
  using FieldRef = std::tuple<std::string_view, std::string_view, std::string_view>;
  // Compares fields and views of them alike, so lookups need no copies
  // (std::less<> cannot: clang's libstdc++ tuples of strings and of views do
  // not compare with each other).
  struct FieldLess {
    using is_transparent = void;
    static FieldRef View(const Field& f) {
      return {std::get<0>(f), std::get<1>(f), std::get<2>(f)};
    }
    static const FieldRef& View(const FieldRef& f) { return f; }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return View(a) < View(b);
    }
  };
  std::map<Field, KeptForwardings, FieldLess> by_field;

  // The kept forwardings of op's list, forgotten if another list is there.
  KeptForwardings& For(const Operation& op, const Elements& elements) {
    auto it = by_field.find(FieldRef{op.collection, op.key, op.field});
    if (it == by_field.end())
      it = by_field.emplace(Field{op.collection, op.key, op.field}, KeptForwardings{}).first;
    KeptForwardings& kept = it->second;
    if (kept.data != elements.data() || kept.size != elements.size()) kept = KeptForwardings{};
    return kept;
  }

  // Forgets the lists of an object an op other than a list op changes: an
  // upsert may put a list of the same length where the freed one was, which
  // the storage check alone would take for the kept one.
  void Forget(std::string_view collection, std::string_view key) {
    auto it = by_field.lower_bound(FieldRef{collection, key, std::string_view()});
    while (it != by_field.end() && std::get<0>(it->first) == collection &&
           std::get<1>(it->first) == key)
      it = by_field.erase(it);
  }
};

// Made at the fold's first list op: most commits have none, and each makes an index.
ForwardingIndex::ForwardingIndex() = default;
ForwardingIndex::~ForwardingIndex() = default;

namespace {

// The element an id names now: a moved element's tombstone forwards to its
// new id. A short chain of forwardings is followed a scan per hop; a longer
// one through the list's forwardings, mapped in one more scan: once per op,
// or once per fold where the fold keeps them (`kept`, ForwardingIndex), so
// resolving costs a few scans however long the chain. Hops are bounded by
// the list's length, so damaged forwarding cannot loop.
size_t Resolve(const Elements& elements, ElementId id, KeptForwardings* kept = nullptr) {
  // Bounded as the hops below in all: the same end, a loop's included.
  if (kept != nullptr && kept->mapped)
    return Find(elements, Follow(kept->forwardings, id, kScannedHops + elements.size()));
  size_t i = Find(elements, id);
  for (size_t hops = 0; i != kNone && elements[i].moved_to && hops < kScannedHops; ++hops)
    i = Find(elements, *elements[i].moved_to);
  if (i == kNone || !elements[i].moved_to) return i;
  // For this op alone the map is sorted too, not hashed: the ids are the
  // writers' (another client's, in a notification's diff), and ids picked to
  // collide would make a hash map's building quadratic.
  KeptForwardings local;
  if (kept == nullptr) kept = &local;
  kept->forwardings = MapForwardings(elements);
  kept->mapped = true;
  return Find(elements, Follow(kept->forwardings, elements[i].id, elements.size()));
}

// RGA placement: right after the anchor (kNone: the head), but after every
// element there with a greater id. Those were inserted at the same place
// concurrently, or after them, so the order of concurrent inserts is the
// order of their ids on every replica whatever order they arrive in.
void Place(Elements& elements, size_t anchor, ListElement element) {
  size_t p = anchor == kNone ? 0 : anchor + 1;
  while (p < elements.size() && elements[p].id > element.id) ++p;
  elements.insert(elements.begin() + static_cast<std::ptrdiff_t>(p), std::move(element));
}

// An anchor that is not in the list (the list was erased and created anew)
// places at the head, so the element is kept.
size_t Anchor(const Elements& elements, const std::optional<ElementId>& after,
              KeptForwardings* kept) {
  return after ? Resolve(elements, *after, kept) : kNone;
}

// Applies a list op to the elements of its list; `kept` (may be null): the
// list's forwardings as the fold keeps them, updated by a move.
Status ApplyToElements(const Operation& op, Elements& elements,
                       const std::function<std::string()>& where, KeptForwardings* kept) {
  switch (op.kind) {
    case OpKind::kListInsert:
      // Already inserted (a replay of an op the server holds): done.
      if (Find(elements, op.element) != kNone) return Status::OK();
      Place(elements, Anchor(elements, op.after, kept),
            ListElement{op.element, op.value, false, {}});
      break;
    case OpKind::kListRemove: {
      const size_t i = Resolve(elements, op.element, kept);
      if (i == kNone || elements[i].removed) return Status::OK();
      elements[i].removed = true;
      elements[i].value = Value::Null();
      break;
    }
    case OpKind::kListSet:
    case OpKind::kListMove: {
      const size_t i = Resolve(elements, op.element, kept);
      if (i == kNone || elements[i].removed)
        return Status::InvalidArgument(fmt::format(
            "cannot {} element {} of {}: {}", OpKindName(op.kind), op.element.ToString(), where(),
            i == kNone ? "the list has no such element" : "the element was removed"));
      if (op.kind == OpKind::kListSet) {
        elements[i].value = op.value;
        break;
      }
      // Already moved under that id: the move is done.
      if (Find(elements, op.moved_to) != kNone) return Status::OK();
      const size_t anchor = Anchor(elements, op.after, kept);
      ListElement moved{op.moved_to, std::move(elements[i].value), false, {}};
      elements[i].removed = true;
      elements[i].value = Value::Null();
      elements[i].moved_to = op.moved_to;
      if (kept != nullptr && kept->mapped) {
        // The element was the end of its chain: the chain goes on to its new id.
        Forwardings& f = kept->forwardings;
        auto at = std::lower_bound(f.begin(), f.end(), elements[i].id,
                                   [](const auto& x, ElementId id) { return x.first < id; });
        if (at != f.end() && at->first == elements[i].id)
          at->second = op.moved_to;
        else
          f.insert(at, {elements[i].id, op.moved_to});
      }
      Place(elements, anchor, std::move(moved));
      break;
    }
    default:
      return Status::InvalidArgument("not a list op");
  }
  return Status::OK();
}

Status ApplyListOperation(const Operation& op, std::optional<FieldMap>& object,
                          ForwardingIndex::Lists* lists) {
  auto where = [&] {
    return fmt::format("{}/{}.{}", op.collection, text::Quoted(op.key), op.field);
  };
  Value* current = nullptr;
  if (object)
    if (auto it = object->find(op.field); it != object->end()) current = &it->second;
  if (current != nullptr && current->type() != ValueType::kList)
    return Status::InvalidArgument(
        fmt::format("cannot {} {}: the field holds a {} value, not a list", OpKindName(op.kind),
                    where(), ValueTypeName(current->type())));
  if (current == nullptr) {
    // An insert creates the list (and the object), as an increment creates
    // its counter; removing from no list leaves nothing to remove.
    if (op.kind == OpKind::kListRemove) return Status::OK();
    if (op.kind != OpKind::kListInsert)
      return Status::InvalidArgument(
          fmt::format("cannot {} {}: there is no list", OpKindName(op.kind), where()));
    List list;
    if (Status s = ApplyToElements(op, list.elements, where, nullptr); !s.ok()) return s;
    if (!object) object.emplace();
    (*object)[op.field] = Value::ListValue(std::move(list));
    return Status::OK();
  }
  // The list goes back on every path, changed or not.
  List list = current->TakeList();
  KeptForwardings* kept = lists != nullptr ? &lists->For(op, list.elements) : nullptr;
  Status s = ApplyToElements(op, list.elements, where, kept);
  if (kept != nullptr) {
    kept->data = list.elements.data();
    kept->size = list.elements.size();
  }
  // Moved, not copied: the elements stay where `kept` saw them.
  *current = Value::ListValue(std::move(list));
  return s;
}

// ApplyOperation, keeping the forwardings of the fold's lists in `lists`
// (may be null).
Status Apply(const Operation& op, std::optional<FieldMap>& object, ForwardingIndex::Lists* lists) {
  if (lists != nullptr && !IsListOp(op.kind)) lists->Forget(op.collection, op.key);
  switch (op.kind) {
    case OpKind::kUpsert:
      if (!object) object.emplace();
      for (const auto& [name, value] : op.fields) (*object)[name] = value;
      return Status::OK();
    case OpKind::kEraseField:
      if (object) {
        auto it = object->find(op.field);
        if (it != object->end()) object->erase(it);
      }
      return Status::OK();
    case OpKind::kEraseObject:
      object.reset();
      return Status::OK();
    case OpKind::kIncrement: {
      int64_t current = 0;
      if (object) {
        if (const auto it = object->find(op.field); it != object->end()) {
          if (it->second.type() != ValueType::kInt)
            return Status::InvalidArgument(fmt::format(
                "cannot increment {}/{}.{}: the field holds a {} value, not int64", op.collection,
                text::Quoted(op.key), op.field, ValueTypeName(it->second.type())));
          current = it->second.as_int();
        }
      }
      // Wrap-around (computed unsigned to avoid undefined behaviour) keeps
      // increments commutative.
      int64_t next = static_cast<int64_t>(static_cast<uint64_t>(current) +
                                          static_cast<uint64_t>(op.delta));
      if (!object) object.emplace();
      (*object)[op.field] = Value::Int(next);
      return Status::OK();
    }
    case OpKind::kListInsert:
    case OpKind::kListRemove:
    case OpKind::kListSet:
    case OpKind::kListMove:
      return ApplyListOperation(op, object, lists);
  }
  return Status::InvalidArgument(fmt::format("unknown op kind {}", static_cast<int>(op.kind)));
}

}  // namespace

uint64_t ListWork(const std::vector<Operation>& ops,
                  const std::function<size_t(const Operation&)>& length_before) {
  using Field = std::tuple<std::string_view, std::string_view, std::string_view>;
  std::map<Field, uint64_t> lengths;
  uint64_t work = 0;
  for (const Operation& op : ops) {
    if (!IsListOp(op.kind)) continue;
    auto [it, fresh] = lengths.try_emplace(Field{op.collection, op.key, op.field}, 0);
    if (fresh) it->second = length_before(op);
    work += it->second + 1;
    if (op.kind == OpKind::kListInsert || op.kind == OpKind::kListMove) ++it->second;
  }
  return work;
}

size_t ListLength(const std::optional<FieldMap>& object, const std::string& field) {
  if (!object) return 0;
  auto it = object->find(field);
  if (it == object->end() || it->second.type() != ValueType::kList) return 0;
  return it->second.as_list().elements.size();
}

const ListElement* FindListElement(const List& list, ElementId id) {
  const size_t i = Resolve(list.elements, id);
  return i == kNone ? nullptr : &list.elements[i];
}

ListElementFinder::ListElementFinder(const List& list)
    : elements_(list.elements), forwardings_(MapForwardings(list.elements)) {
  positions_.reserve(elements_.size());
  for (size_t i = 0; i < elements_.size(); ++i) positions_.emplace_back(elements_[i].id, i);
  // By id, then position: an id's first entry is where Find's scan stops.
  std::sort(positions_.begin(), positions_.end());
}

const ListElement* ListElementFinder::Find(ElementId id) {
  // Resolve's bound: its scanned hops, then the list's length.
  const ElementId at = Follow(forwardings_, id, kScannedHops + elements_.size());
  auto it = std::lower_bound(positions_.begin(), positions_.end(), at,
                             [](const auto& p, ElementId x) { return p.first < x; });
  return it != positions_.end() && it->first == at ? &elements_[it->second] : nullptr;
}

Status ApplyOperation(const Operation& op, std::optional<FieldMap>& object) {
  return Apply(op, object, nullptr);
}

Status ApplyOperation(const Operation& op, std::optional<FieldMap>& object,
                      ForwardingIndex& index) {
  if (!index.lists_ && IsListOp(op.kind)) index.lists_ = std::make_unique<ForwardingIndex::Lists>();
  return Apply(op, object, index.lists_.get());
}

std::vector<std::string> TouchedFields(const Operation& op, const std::optional<FieldMap>& object) {
  std::vector<std::string> out;
  switch (op.kind) {
    case OpKind::kUpsert:
      for (const auto& [name, value] : op.fields) out.push_back(name);
      break;
    case OpKind::kEraseField:
    case OpKind::kIncrement:
    case OpKind::kListInsert:
    case OpKind::kListRemove:
    case OpKind::kListSet:
    case OpKind::kListMove:
      out.push_back(op.field);
      break;
    case OpKind::kEraseObject:
      if (object)
        for (const auto& [name, value] : *object) out.push_back(name);
      break;
  }
  return out;
}

Status MemoryState::ApplyEntry(const JournalEntry& entry) {
  // Before-images describe the state before the whole transaction; check them
  // before applying anything.
  for (const BeforeImage& img : entry.before) {
    auto it = objects_.find({img.collection, img.key});
    bool exists = it != objects_.end();
    std::optional<Value> value;
    if (exists)
      if (const auto f = it->second.find(img.field); f != it->second.end()) value = f->second;
    if (exists != img.object_existed || value != img.value)
      return Status::Corruption(fmt::format(
          "journal entry lsn {}: before-image of {}/{}.{} says {} but the fold of earlier "
          "entries has {}",
          entry.lsn, img.collection, text::Quoted(img.key), img.field,
          img.value ? img.value->ToString() : (img.object_existed ? "absent" : "no object"),
          value ? value->ToString() : (exists ? "absent" : "no object")));
  }
  ForwardingIndex forwardings;
  for (size_t i = 0; i < entry.ops.size(); ++i) {
    const Operation& op = entry.ops[i];
    ObjectId id{op.collection, op.key};
    auto it = objects_.find(id);
    std::optional<FieldMap> object;
    if (it != objects_.end()) object = std::move(it->second);
    Status s = ApplyOperation(op, object, forwardings);
    if (!s.ok()) {
      if (it != objects_.end() && object) it->second = std::move(*object);
      return Status::Corruption(
          fmt::format("journal entry lsn {}: op {} cannot apply: {}", entry.lsn, i, s.message()));
    }
    if (object) {
      objects_[id] = std::move(*object);
    } else if (it != objects_.end()) {
      objects_.erase(it);
    }
  }
  return Status::OK();
}

}  // namespace journaldb::fold
