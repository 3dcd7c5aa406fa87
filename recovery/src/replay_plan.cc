#include "journaldb/replay_plan.h"

#include <fmt/format.h>

#include <map>

#include "journaldb/engine/object_reads.h"
#include "journaldb/journal/fold.h"

namespace journaldb {

std::string_view ReplayClassName(ReplayClass c) {
  switch (c) {
    case ReplayClass::kClean: return "clean";
    case ReplayClass::kSame: return "same";
    case ReplayClass::kConflict: return "conflict";
    case ReplayClass::kGone: return "gone";
  }
  return "unknown";
}

bool NeedsDecision(ReplayClass c) { return c > ReplayClass::kSame; }

namespace {

// An object's touched fields only, rebuilt from before-images; nullopt: no object.
using PartialObject = std::optional<FieldMap>;

// The object `ref` names in `objects`, or no object: one not read from the
// server, or one without a before-image.
const std::optional<FieldMap>& FindOrAbsent(
    const std::map<ObjectRef, std::optional<FieldMap>>& objects, const ObjectRef& ref) {
  static const std::optional<FieldMap> kAbsent;
  auto it = objects.find(ref);
  return it != objects.end() ? it->second : kAbsent;
}

std::optional<Value> FieldOf(const std::optional<FieldMap>& object, std::string_view field) {
  if (!object) return std::nullopt;
  auto it = object->find(field);
  if (it == object->end()) return std::nullopt;
  return it->second;
}

// `local_object_exists`: the object exists after the op (not an erase-object).
ReplayClass Classify(const FieldView& v, OpKind kind, bool local_object_exists) {
  // The server already holds what the op wrote: nothing to decide. Not for an
  // increment: applying it would add its delta a second time.
  // An erase of a field the server lacks (whether or not it has the object)
  // changes nothing either.
  const bool same =
      kind == OpKind::kEraseField
          ? !v.server.has_value()
          : kind != OpKind::kIncrement && v.server == v.local &&
                v.server_object_exists == local_object_exists;
  if (v.base_object_existed && !v.server_object_exists)
    return same ? ReplayClass::kSame : ReplayClass::kGone;
  if (v.server == v.base) return ReplayClass::kClean;
  return same ? ReplayClass::kSame : ReplayClass::kConflict;
}

const List* AsList(const std::optional<Value>& v) {
  return v && v->type() == ValueType::kList ? &v->as_list() : nullptr;
}

// The element `id` names in `list` (forwarding followed), or nullptr.
const ListElement* Element(const List* list, ElementId id) {
  return list != nullptr ? fold::FindListElement(*list, id) : nullptr;
}

std::optional<Value> PresentValue(const ListElement* e) {
  if (e == nullptr || e->removed) return std::nullopt;
  return e->value;
}

// Up to two present values before index `at` (exclusive; at == size: the
// end) and, from `from` on, up to two after.
void Neighbours(const List& list, size_t at, size_t from, std::vector<Value>& before,
                std::vector<Value>& after) {
  for (size_t i = at; i > 0 && before.size() < 2;)
    if (!list.elements[--i].removed) before.insert(before.begin(), list.elements[i].value);
  for (size_t i = from; i < list.elements.size() && after.size() < 2; ++i)
    if (!list.elements[i].removed) after.push_back(list.elements[i].value);
}

size_t IndexOf(const List& list, const ListElement* e) {
  return static_cast<size_t>(e - list.elements.data());
}

ElementView ViewElement(const Operation& op, const FieldView& v) {
  const List* base = AsList(v.base);
  const List* local = AsList(v.local);
  const List* server = AsList(v.server);
  ElementView e;
  e.id = op.element;
  const ListElement* base_el = Element(base, op.element);
  const ListElement* local_el = Element(local, op.element);
  const ListElement* server_el = Element(server, op.element);
  e.base = PresentValue(base_el);
  e.local = PresentValue(local_el);
  e.server = PresentValue(server_el);
  e.removed_on_server = server_el != nullptr && server_el->removed;
  e.moved_on_server = server_el != nullptr && base_el != nullptr && server_el->id != base_el->id;
  if (local_el != nullptr) {
    const size_t i = IndexOf(*local, local_el);
    Neighbours(*local, i, i + 1, e.local_before, e.local_after);
  }
  if (server == nullptr) return e;
  if (server_el != nullptr) {
    const size_t i = IndexOf(*server, server_el);
    Neighbours(*server, i, i + 1, e.server_before, e.server_after);
  } else if (const ListElement* anchor = op.after ? Element(server, *op.after) : nullptr) {
    // Where an insert (or move) would go: after its anchor.
    const size_t i = IndexOf(*server, anchor) + 1;
    Neighbours(*server, i, i, e.server_before, e.server_after);
  } else {
    Neighbours(*server, 0, 0, e.server_before, e.server_after);
  }
  return e;
}

// A list op by its element: only a change of that element on the server is
// a conflict. An element the server never had is the client's own (an
// insert of an earlier diverged transaction): clean.
ReplayClass ClassifyListOp(const FieldView& v, const Operation& op) {
  const bool remove = op.kind == OpKind::kListRemove;
  if (v.base_object_existed && !v.server_object_exists)
    return remove ? ReplayClass::kSame : ReplayClass::kGone;
  if (v.server && v.server->type() != ValueType::kList) return ReplayClass::kConflict;
  const ElementView& e = *v.element;
  const bool server_has = e.server.has_value() || e.removed_on_server;
  switch (op.kind) {
    case OpKind::kListInsert:
      return server_has ? ReplayClass::kSame : ReplayClass::kClean;
    case OpKind::kListRemove:
      if (!e.server) return ReplayClass::kSame;
      return !e.base || e.server == e.base ? ReplayClass::kClean : ReplayClass::kConflict;
    case OpKind::kListSet:
      if (e.removed_on_server) return ReplayClass::kGone;
      if (!server_has) return ReplayClass::kClean;
      if (e.server == op.value) return ReplayClass::kSame;
      return !e.base || (e.server == e.base && !e.moved_on_server) ? ReplayClass::kClean
                                                                   : ReplayClass::kConflict;
    case OpKind::kListMove:
      if (Element(AsList(v.server), op.moved_to) != nullptr) return ReplayClass::kSame;
      if (e.removed_on_server) return ReplayClass::kGone;
      if (!server_has) return ReplayClass::kClean;
      return e.moved_on_server ? ReplayClass::kConflict : ReplayClass::kClean;
    default:
      return ReplayClass::kClean;
  }
}

}  // namespace

ReplayPlanner::~ReplayPlanner() {
  reader_.reset();  // before the snapshot database it reads
}

Result<std::unique_ptr<ReplayPlanner>> ReplayPlanner::Open(const RecoverySnapshot& snapshot,
                                                          const Database& live,
                                                          const PlanOptions& options) {
  Options ro;
  ro.read_only = true;
  ro.create_if_missing = false;
  Result<std::unique_ptr<Database>> db = Database::Open(snapshot.db_path, ro);
  if (!db.ok()) return db.status();
  std::unique_ptr<ReplayPlanner> p(new ReplayPlanner());
  p->snapshot_db_ = std::move(db).value();
  p->live_ = &live;
  p->options_ = options;
  const RecoveryManifest& m = snapshot.manifest;
  if (m.diverged_entries == 0) return p;  // nothing diverged: not Valid()
  p->next_expected_ = m.first_diverged_lsn;
  p->last_ = m.last_diverged_lsn;
  p->reader_ = std::make_unique<JournalReader>(p->snapshot_db_->ReadJournal(m.first_diverged_lsn));
  p->Load();
  return p;
}

void ReplayPlanner::Next() {
  if (!valid_) return;
  reader_->Next();
  Load();
}

std::vector<Operation> ReplayPlanner::TakeOps() {
  std::vector<Operation> ops;
  ops.reserve(current_.ops.size());
  for (PlannedOp& op : current_.ops) ops.push_back(std::move(op.op));
  return ops;
}

void ReplayPlanner::Refresh() {
  if (valid_) Plan(reader_->entry());
}

void ReplayPlanner::Load() {
  valid_ = false;
  if (next_expected_ > last_) return;  // the manifest's range is done
  if (!reader_->Valid()) {
    status_ = reader_->status().ok()
                  ? Status::Corruption(fmt::format(
                        "recovery snapshot journal ends before lsn {} (manifest range ends at {})",
                        next_expected_, last_))
                  : reader_->status();
    return;
  }
  const JournalEntry& e = reader_->entry();
  if (e.lsn != next_expected_) {
    status_ = Status::Corruption(fmt::format(
        "recovery snapshot journal: expected lsn {}, found {} (entries missing)", next_expected_,
        e.lsn));
    return;
  }
  ++next_expected_;
  Plan(e);
}

void ReplayPlanner::Plan(const JournalEntry& e) {
  valid_ = false;
  // Base state of every touched object, from the before-images. Keyed by
  // views into `e`, which outlives the plan: no key is copied.
  std::map<ObjectRef, PartialObject> objects;
  for (const BeforeImage& img : e.before) {
    PartialObject& o = objects[{img.collection, img.key}];
    if (img.object_existed && !o) o.emplace();
    if (img.value && o) o->insert_or_assign(img.field, *img.value);
  }
  // Server state of every touched object, read in one batch; without the
  // read every object counts as absent on the server.
  std::map<ObjectRef, std::optional<FieldMap>> server;
  if (options_.read_server) {
    std::vector<ObjectRef> refs;
    for (const Operation& op : e.ops)
      if (server.try_emplace({op.collection, op.key}).second)
        refs.emplace_back(op.collection, op.key);
    Result<std::vector<std::optional<FieldMap>>> read = ReadObjects(*live_, refs);
    if (!read.ok()) {
      status_ = read.status();
      return;
    }
    for (size_t i = 0; i < refs.size(); ++i) server[refs[i]] = std::move((*read)[i]);
  }

  // Base values are the state before the whole transaction: the server is
  // compared with that, not with an intermediate value of this transaction.
  const std::map<ObjectRef, PartialObject> base = objects;
  current_ = PlannedTransaction{e.lsn, e.commit_time_us, {}, ReplayClass::kClean};
  for (const Operation& op : e.ops) {
    PartialObject& o = objects[{op.collection, op.key}];
    const std::optional<FieldMap>& srv = FindOrAbsent(server, {op.collection, op.key});
    PlannedOp planned{op, {}, ReplayClass::kClean};
    std::vector<std::string> fields = fold::TouchedFields(op, o);
    // An op that touches no field (erase of a missing object, an empty
    // upsert) has no before-image: its object counts as absent at base.
    const PartialObject& base_object = FindOrAbsent(base, {op.collection, op.key});
    // The partial object holds every field this transaction touches, so the
    // fold's rules give exact values for them.
    if (Status st = fold::ApplyOperation(op, o); !st.ok()) {
      status_ = Status::Corruption(fmt::format(
          "recovery snapshot journal lsn {}: op cannot apply to its before-images: {}", e.lsn,
          st.message()));
      return;
    }
    for (std::string& f : fields) {
      FieldView v;
      v.base = FieldOf(base_object, f);
      v.local = FieldOf(o, f);
      v.server = FieldOf(srv, f);
      v.base_object_existed = base_object.has_value();
      v.server_object_exists = srv.has_value();
      v.field = std::move(f);
      if (IsListOp(op.kind)) v.element = ViewElement(op, v);
      v.cls = !options_.read_server ? ReplayClass::kClean
              : v.element           ? ClassifyListOp(v, op)
                                    : Classify(v, op.kind, op.kind != OpKind::kEraseObject);
      planned.cls = std::max(planned.cls, v.cls);
      planned.fields.push_back(std::move(v));
    }
    // An erase of an object the server deleted too: it already holds the result.
    if (options_.read_server && op.kind == OpKind::kEraseObject && base_object && !srv)
      planned.cls = std::max(planned.cls, ReplayClass::kSame);
    current_.cls = std::max(current_.cls, planned.cls);
    current_.ops.push_back(std::move(planned));
  }
  valid_ = true;
}

}  // namespace journaldb
