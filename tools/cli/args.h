// Argument parsing for `journal`: the global flags before the command name
// (--json, --help, --version), then a command's positional arguments, the
// flags every command takes (--json, --help) and the command's own options.
// CLI11 does the parsing; this file maps a command's option table onto it.
//
//   static constexpr OptionSpec kOptions[] = {{"--since", "LSN", "first lsn to show"}};
//   ParsedArgs p;
//   Status s = ParseArgs(args, kOptions, &p);
//
// Rules (docs/cli.md): options may appear anywhere after the command name;
// `--name VALUE` and `--name=VALUE` are equivalent; `--` ends options, so a
// key that starts with "-" can still be passed; a negative number such as -5
// and a lone "-" are positional. Anything else that starts with "-" is an
// option, and an option the command does not know is a usage error.
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
// value, a value given to a flag or an option given twice. On error,
// parsed->json still says whether --json was seen, so the usage error can be
// reported as a JSON document.
[[nodiscard]] Status ParseArgs(const std::vector<std::string>& args,
                               std::span<const OptionSpec> options, ParsedArgs* parsed);

// What comes before the command name: `journal --json info DB`.
struct GlobalArgs {
  bool json = false;     // --json
  bool help = false;     // --help or -h
  bool version = false;  // --version
  // The command name and everything after it, untouched; empty if no command.
  std::vector<std::string> command_line;
};

// Invalid-argument for an unknown option before the command name; on error,
// parsed->json still says whether --json was seen.
[[nodiscard]] Status ParseGlobalArgs(const std::vector<std::string>& args, GlobalArgs* parsed);

}  // namespace journaldb::cli

#endif  // JOURNALDB_TOOLS_CLI_ARGS_H_
