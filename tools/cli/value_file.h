// Values read from a file or stdin: `journal put DB C K FIELD=@FILE` and
// `FIELD=@-` (docs/cli.md, "Value syntax"), for values too large for the
// command line (the kernel limits one argument to 128 KiB).
//
//   Result<Value> v = ReadValueFile("notes.txt", std::cin);  // the bytes, as a string
//
// Thread safety: not thread-safe when `path` is "-" (reads `in`).
#ifndef JOURNALDB_TOOLS_CLI_VALUE_FILE_H_
#define JOURNALDB_TOOLS_CLI_VALUE_FILE_H_

#include <istream>
#include <string_view>

#include "journaldb/status.h"
#include "journaldb/value.h"

namespace journaldb::cli {

// The bytes of the file at `path` ("-": all of `in`), unchanged (a final
// newline is kept), as a string value. Errors: not-found for a missing
// file, I/O error for one that cannot be read, invalid-argument for one
// larger than kMaxValueBytes (the message names the limit) or a directory.
// Reads at most kMaxValueBytes + 1 bytes, whatever the file's size.
Result<Value> ReadValueFile(std::string_view path, std::istream& in);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_VALUE_FILE_H_
