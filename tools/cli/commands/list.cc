// journal list-insert, list-remove, list-set, list-move: the four list ops on
// one list field (docs/cli.md, "Lists"), each one transaction through the
// Transaction list API, which checks element ids against the list and names
// a missing one, so a mistyped id fails instead of merging as a no-op.
#include <fmt/format.h>

#include <iostream>

#include "../command.h"
#include "../database_open.h"
#include "../value_file.h"
#include "../value_syntax.h"
#include "journaldb/journal/fold.h"

namespace journaldb::cli {

namespace {

// Positional arguments: DB COLLECTION KEY FIELD, then ID (list-insert: VALUE),
// then list-set's VALUE.
enum Arg : size_t { kDb = 0, kCollection, kKey, kField, kElement, kSetValue };

Result<ElementId> ParseElementId(std::string_view what, std::string_view text) {
  if (std::optional<ElementId> id = ElementId::Parse(text)) return *id;
  return Status::InvalidArgument(
      fmt::format("{} must be an element id, COUNTER.REPLICA as `journal get` shows them (e.g. "
                  "3.00c0ffee00c0ffee), got {}",
                  what, DisplayName(text)));
}

// Where list-insert and list-move put the element: after an element, at the
// head, or (neither option) at the end of the list.
struct Position {
  bool head = false;
  std::optional<ElementId> after;
};

Result<Position> ParsePosition(const ParsedArgs& args) {
  const std::string* after = args.Find("--after");
  const bool head = args.Find("--head") != nullptr;
  if (after != nullptr && head)
    return Status::InvalidArgument("--after and --head exclude each other; give one of them");
  Position p;
  p.head = head;
  if (after != nullptr) {
    Result<ElementId> id = ParseElementId("--after", *after);
    if (!id.ok()) return id.status();
    p.after = *id;
  }
  return p;
}

// The anchor `p` means in `db`'s list: the end of the list is after its last
// present element (the head if there is none), other than list-move's
// `moving` element, which cannot follow itself. A field that is not a list
// gives no anchor; the list op then reports its type.
Result<std::optional<ElementId>> Anchor(const Database& db, const std::vector<std::string>& a,
                                        const Position& p,
                                        std::optional<ElementId> moving = std::nullopt) {
  if (p.head || p.after) return p.after;
  Result<Value> list = db.GetField(a[kCollection], a[kKey], a[kField]);
  if (!list.ok() && list.status().IsNotFound()) return std::optional<ElementId>();
  if (!list.ok()) return list.status();
  if (list->type() != ValueType::kList) return std::optional<ElementId>();
  // By where the id leads: an old id of a moved element names it too.
  const ListElement* self = moving ? fold::FindListElement(list->as_list(), *moving) : nullptr;
  std::optional<ElementId> last;
  for (const ListElement& e : list->as_list().elements)
    if (!e.removed && &e != self) last = e.id;
  return last;
}

// VALUE as put types it, or unchanged with --string.
Result<Value> ParseValue(const ParsedArgs& args, std::string_view text) {
  return ParseValueArgument(text, args.Find("--string") != nullptr,
                            [](std::string_view file) { return ReadValueFile(file, std::cin); });
}

// A bad name or value is a usage error, reported before anything is opened.
// The op is checked with a placeholder for the id the transaction assigns.
Outcome Validate(const Operation& op) {
  if (Status s = op.Validate(); !s.ok()) return Outcome::Usage(s.message());
  return Outcome::Ok();
}

Outcome ValueFailed(const Status& s) {
  return s.IsInvalidArgument() ? Outcome::Usage(s.message()) : Outcome::Failed(s);
}

// Human output of list-insert and list-move: the element's id alone, so
// `id=$(journal list-insert ...)` keeps it; --json adds the lsn.
Outcome PrintId(Output& out, const Committed& c, std::string_view member, ElementId id) {
  if (out.json()) {
    out.doc().BeginObject().Key("lsn").Uint(c.lsn).Key(member).String(id.ToString()).EndObject();
  } else {
    out.text() << id.ToString() << "\n";
  }
  return Outcome::Ok();
}

Outcome PrintLsn(Output& out, const Committed& c) {
  if (out.json()) {
    out.doc().BeginObject().Key("lsn").Uint(c.lsn).EndObject();
  } else {
    out.text() << "committed lsn " << c.lsn << "\n";
  }
  return Outcome::Ok();
}

// An id unlike `a` and `b`, to validate an op before its new id exists.
ElementId Placeholder(ElementId a, std::optional<ElementId> b = std::nullopt) {
  ElementId id{1, 0};
  while (id == a || id == b) ++id.counter;
  return id;
}

constexpr OptionSpec kPositionOptions[] = {
    {"--after", "ID", "put the element right after element ID"},
    {"--head", "", "put the element at the head of the list"},
};
constexpr OptionSpec kInsertOptions[] = {
    kPositionOptions[0],
    kPositionOptions[1],
    {"--string", "", "store VALUE as a string, unchanged (put's FIELD:=TEXT)"},
};
constexpr OptionSpec kSetOptions[] = {kInsertOptions[2]};

constexpr std::string_view kInsertDescription =
    R"(Inserts VALUE into the list held by FIELD: at the end of the list, right
after element ID (--after ID) or at the head (--head). Creates the list, and
the object, if missing. Prints the new element's id, alone on its line (with
--json, {"lsn":N,"element":ID}), so a script can keep it:
id=$(journal list-insert ...).

VALUE is typed as in put (42 int64, 1.5 double, true, null, anything else a
string); --string stores it unchanged as a string; @FILE and @- read it from
a file or stdin. An ID that is not an element id (COUNTER.REPLICA, as
`journal get` shows them) is a usage error (exit 2). An --after ID the list
does not hold is exit 1 (not found), a FIELD that holds something other than
a list exit 1 (invalid argument); nothing is written then. DB must exist.

examples:
  journal list-insert app.db lists shopping items milk
  journal list-insert app.db lists shopping items eggs --after 3.00c0ffee00c0ffee
  journal list-insert app.db lists shopping items 2 --head
)";

Outcome RunInsert(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  Result<Position> position = ParsePosition(args);
  if (!position.ok()) return Outcome::Usage(position.status().message());
  Result<Value> value = ParseValue(args, a[kElement]);
  if (!value.ok()) return ValueFailed(value.status());
  if (Outcome o = Validate(
          Operation::ListInsert(a[kCollection], a[kKey], a[kField], position->after,
                                Placeholder(position->after.value_or(ElementId{})), *value));
      o.code != ExitCode::kOk)
    return o;
  ElementId inserted;
  Committed c;
  Outcome o = CommitTransaction(
      a[kDb], /*create_if_missing=*/false,
      [&](Database& db, Transaction& txn) -> Status {
        Result<std::optional<ElementId>> after = Anchor(db, a, *position);
        if (!after.ok()) return after.status();
        Result<ElementId> id =
            txn.ListInsert(a[kCollection], a[kKey], a[kField], *after, std::move(value).value());
        if (!id.ok()) return id.status();
        inserted = *id;
        return Status::OK();
      },
      &c);
  if (o.code != ExitCode::kOk) return o;
  return PrintId(out, c, "element", inserted);
}

constexpr std::string_view kRemoveDescription =
    R"(Removes element ID from the list held by FIELD. An ID that is not an
element id is a usage error (exit 2); one the list does not hold (or no
longer holds) is exit 1 (not found) and nothing is written. DB must exist.

example:
  journal list-remove app.db lists shopping items 3.00c0ffee00c0ffee
)";

Outcome RunRemove(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  Result<ElementId> id = ParseElementId("ID", a[kElement]);
  if (!id.ok()) return Outcome::Usage(id.status().message());
  if (Outcome o = Validate(Operation::ListRemove(a[kCollection], a[kKey], a[kField], *id));
      o.code != ExitCode::kOk)
    return o;
  Committed c;
  Outcome o = CommitTransaction(
      a[kDb], /*create_if_missing=*/false,
      [&](Database&, Transaction& txn) {
        return txn.ListRemove(a[kCollection], a[kKey], a[kField], *id);
      },
      &c);
  if (o.code != ExitCode::kOk) return o;
  return PrintLsn(out, c);
}

constexpr std::string_view kSetDescription =
    R"(Sets the value of element ID in the list held by FIELD; the element keeps
its id and place. VALUE as in list-insert (--string, @FILE). A malformed ID
is a usage error (exit 2); one the list does not hold is exit 1 (not found)
and nothing is written. DB must exist.

example:
  journal list-set app.db lists shopping items 3.00c0ffee00c0ffee "oat milk"
)";

Outcome RunSet(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  Result<ElementId> id = ParseElementId("ID", a[kElement]);
  if (!id.ok()) return Outcome::Usage(id.status().message());
  Result<Value> value = ParseValue(args, a[kSetValue]);
  if (!value.ok()) return ValueFailed(value.status());
  if (Outcome o = Validate(Operation::ListSet(a[kCollection], a[kKey], a[kField], *id, *value));
      o.code != ExitCode::kOk)
    return o;
  Committed c;
  Outcome o = CommitTransaction(
      a[kDb], /*create_if_missing=*/false,
      [&](Database&, Transaction& txn) {
        return txn.ListSet(a[kCollection], a[kKey], a[kField], *id, std::move(value).value());
      },
      &c);
  if (o.code != ExitCode::kOk) return o;
  return PrintLsn(out, c);
}

constexpr std::string_view kMoveDescription =
    R"(Moves element ID to the end of the list held by FIELD, right after
element --after ID, or to the head (--head). The element gets a new id at
its new place, which is printed alone on its line (with --json,
{"lsn":N,"moved_to":ID}); its old id still names it. A malformed ID is a
usage error (exit 2); an ID or --after ID the list does not hold is exit 1
(not found) and nothing is written. DB must exist.

example:
  journal list-move app.db lists shopping items 3.00c0ffee00c0ffee --head
)";

Outcome RunMove(const ParsedArgs& args, Output& out) {
  const std::vector<std::string>& a = args.positional;
  Result<ElementId> id = ParseElementId("ID", a[kElement]);
  if (!id.ok()) return Outcome::Usage(id.status().message());
  Result<Position> position = ParsePosition(args);
  if (!position.ok()) return Outcome::Usage(position.status().message());
  if (Outcome o = Validate(Operation::ListMove(a[kCollection], a[kKey], a[kField], *id,
                                               position->after, Placeholder(*id, position->after)));
      o.code != ExitCode::kOk)
    return o;
  ElementId moved_to;
  Committed c;
  Outcome o = CommitTransaction(
      a[kDb], /*create_if_missing=*/false,
      [&](Database& db, Transaction& txn) -> Status {
        Result<std::optional<ElementId>> after = Anchor(db, a, *position, *id);
        if (!after.ok()) return after.status();
        Result<ElementId> moved = txn.ListMove(a[kCollection], a[kKey], a[kField], *id, *after);
        if (!moved.ok()) return moved.status();
        moved_to = *moved;
        return Status::OK();
      },
      &c);
  if (o.code != ExitCode::kOk) return o;
  return PrintId(out, c, "moved_to", moved_to);
}

}  // namespace

const Command& ListInsertCommand() {
  static const Command kCommand{
      .name = "list-insert",
      .synopsis = "DB COLLECTION KEY FIELD VALUE [--after ID | --head] [--string]",
      .summary = "insert a value into a list field; prints the new element id",
      .description = kInsertDescription,
      .options = kInsertOptions,
      .min_args = 5,
      .max_args = 5,
      .run = RunInsert,
  };
  return kCommand;
}

const Command& ListRemoveCommand() {
  static const Command kCommand{
      .name = "list-remove",
      .synopsis = "DB COLLECTION KEY FIELD ID",
      .summary = "remove an element from a list field",
      .description = kRemoveDescription,
      .options = {},
      .min_args = 5,
      .max_args = 5,
      .run = RunRemove,
  };
  return kCommand;
}

const Command& ListSetCommand() {
  static const Command kCommand{
      .name = "list-set",
      .synopsis = "DB COLLECTION KEY FIELD ID VALUE [--string]",
      .summary = "set the value of a list element",
      .description = kSetDescription,
      .options = kSetOptions,
      .min_args = 6,
      .max_args = 6,
      .run = RunSet,
  };
  return kCommand;
}

const Command& ListMoveCommand() {
  static const Command kCommand{
      .name = "list-move",
      .synopsis = "DB COLLECTION KEY FIELD ID [--after ID | --head]",
      .summary = "move a list element; prints its new id",
      .description = kMoveDescription,
      .options = kPositionOptions,
      .min_args = 5,
      .max_args = 5,
      .run = RunMove,
  };
  return kCommand;
}

}  // namespace journaldb::cli
