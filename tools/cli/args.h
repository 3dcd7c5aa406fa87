// Argument parsing for `journal` commands: positional arguments, the global
// flags every command takes (--json, --help) and a command's own options.
//
//   static constexpr OptionSpec kOptions[] = {{"--since", "LSN", "first lsn to show"}};
//   Result<ParsedArgs> p = ParseArgs(args, kOptions);
//
// Rules (docs/cli.md): options may appear anywhere after the command name;
// `--name VALUE` and `--name=VALUE` are equivalent; `--` ends options, so a
// key that starts with "--" can still be passed; any other token, including
// negative numbers such as -5, is positional.
//
// Thread safety: pure functions.
#ifndef JOURNALDB_TOOLS_CLI_ARGS_H_
#define JOURNALDB_TOOLS_CLI_ARGS_H_

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "journaldb/status.h"

namespace journaldb::cli {

// One command-specific option.
struct OptionSpec {
  std::string_view name;        // "--since"
  std::string_view value_name;  // "LSN"; empty for a flag without a value
  std::string_view help;        // one line for --help
};

struct ParsedArgs {
  std::vector<std::string> positional;
  // Command-specific options by name ("--since"); a flag maps to "".
  std::map<std::string, std::string, std::less<>> options;
  bool json = false;  // --json
  bool help = false;  // --help or -h

  // The option's value, or nullptr if it was not given.
  const std::string* Find(std::string_view name) const {
    auto it = options.find(name);
    return it == options.end() ? nullptr : &it->second;
  }
};

// Invalid-argument (a usage error) for an unknown option, a missing option
// value or an option given twice.
Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             std::span<const OptionSpec> options);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_ARGS_H_
