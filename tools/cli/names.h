// CheckNames: a collection name, and a primary key if given, checked as a
// write checks them (Operation::Validate: not empty, within kMaxNameBytes or
// kMaxKeyBytes, ...), for the commands that only read: a name no write could
// have stored is a usage error (exit 2) naming the limit, not a lookup that
// finds nothing.
#ifndef JOURNALDB_TOOLS_CLI_NAMES_H_
#define JOURNALDB_TOOLS_CLI_NAMES_H_

#include <optional>
#include <string_view>

#include "journaldb/status.h"

namespace journaldb::cli {

Status CheckNames(std::string_view collection, std::optional<std::string_view> key = std::nullopt);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_NAMES_H_
