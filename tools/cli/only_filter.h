// OnlyFilter: the `--only LSN-RANGE|COLLECTION` selection of diverged
// transactions and ops (journal diff; docs/cli.md, "diff").
//
//   Result<OnlyFilter> f = ParseOnlyFilter("5-9");   // lsns 5 to 9
//   if (f->SelectsLsn(7) && f->SelectsOp(op)) show(op);
//
// A value made only of digits and dashes is an lsn range, `N` or `N-M`
// (inclusive); anything else is a collection name. A collection filter keeps the ops on
// that collection and the transactions holding at least one of them.
//
// Thread safety: a value type.
#ifndef JOURNALDB_TOOLS_CLI_ONLY_FILTER_H_
#define JOURNALDB_TOOLS_CLI_ONLY_FILTER_H_

#include <optional>
#include <string>
#include <string_view>

#include "journaldb/journal_entry.h"
#include "journaldb/operation.h"
#include "journaldb/status.h"

namespace journaldb::cli {

struct OnlyFilter {
  // Both unset: everything is selected.
  std::optional<Lsn> first_lsn, last_lsn;
  std::optional<std::string> collection;

  bool SelectsLsn(Lsn lsn) const { return !first_lsn || (lsn >= *first_lsn && lsn <= *last_lsn); }
  // True once `lsn` is past the range: no later transaction can be selected.
  bool PastRange(Lsn lsn) const { return last_lsn && lsn > *last_lsn; }
  bool SelectsOp(const Operation& op) const { return !collection || op.collection == *collection; }
};

// Invalid-argument for an empty value, digits and dashes that are not `N` or
// `N-M`, an lsn of 0 or beyond uint64, or a range that ends before it starts.
Result<OnlyFilter> ParseOnlyFilter(std::string_view text);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_ONLY_FILTER_H_
