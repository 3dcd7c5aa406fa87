// Command: one `journal` subcommand, its help text and its run function.
// The table of all commands is command_list.h; cli.cc dispatches on it.
//
//   const Command& PutCommand() {
//     static const Command kPut{"put", "DB COLLECTION KEY FIELD=VALUE...", ...};
//     return kPut;
//   }
//
// Thread safety: Command values are immutable after construction.
#ifndef JOURNALDB_TOOLS_CLI_COMMAND_H_
#define JOURNALDB_TOOLS_CLI_COMMAND_H_

#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "args.h"
#include "journaldb/status.h"
#include "output.h"

namespace journaldb::cli {

// The process exit codes (docs/cli.md).
enum class ExitCode : int {
  kOk = 0,
  kError = 1,         // the command ran and failed; stderr says why
  kUsage = 2,         // malformed command line; nothing was opened or written
  kVerifyFailed = 3,  // `verify` found problems, or the database is damaged
  kStopped = 4,       // stopped by the person (replay's quit): not an error, work is left
};

// What a command's run function reports back to the dispatcher, which prints
// errors (stderr, and an error document on stdout under --json).
struct Outcome {
  ExitCode code = ExitCode::kOk;
  Status error;  // kError and kUsage: what was wrong
  // kError under --json: doc() holds the command's own document, with an
  // "error" member like the dispatcher's plus what the command did before
  // it stopped (replay's report); it is printed instead of the bare error.
  bool error_document = false;

  static Outcome Ok() { return {}; }
  static Outcome VerifyFailed() { return {ExitCode::kVerifyFailed, Status::OK()}; }
  // A damaged database (corruption): printed as an error, exit 3 as verify's.
  static Outcome Damaged(Status s) { return {ExitCode::kVerifyFailed, std::move(s)}; }
  // `note` goes to stderr as is, without an error kind; doc() (under --json)
  // is printed as on success.
  static Outcome Stopped(std::string note) {
    return {ExitCode::kStopped, Status::FailedPrecondition(std::move(note))};
  }
  // REQUIRES: !s.ok()
  static Outcome Failed(Status s) { return {ExitCode::kError, std::move(s)}; }
  static Outcome Usage(std::string message) {
    return {ExitCode::kUsage, Status::InvalidArgument(std::move(message))};
  }
};

inline constexpr size_t kUnboundedArgs = std::numeric_limits<size_t>::max();

struct Command {
  std::string_view name;                // "put"
  std::string_view synopsis;            // "DB COLLECTION KEY FIELD=VALUE..."
  std::string_view summary;             // one line for `journal help`
  std::string_view description;         // paragraphs for `journal put --help`
  std::span<const OptionSpec> options;  // besides --json and --help
  size_t min_args = 0;                  // positional arguments accepted
  size_t max_args = 0;                  // kUnboundedArgs: no limit
  // Runs with the positional count already checked against min/max.
  Outcome (*run)(const ParsedArgs& args, Output& out) = nullptr;
};

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_COMMAND_H_
