// UnexpectedArgumentError: the usage error for what CLI11 did not recognise.
//
//   app.allow_extras();  // collect instead of throwing CLI::ExtrasError
//   app.parse(argc, argv);
//   if (std::string e = UnexpectedArgumentError(app); !e.empty()) return Usage(e);
//
// Why not CLI11's ExtrasError: it lists every leftover token, last first
// ("The following arguments were not expected: 7000 --port"); a user wants
// the first wrong token, named as an option or as an argument.
//
// Thread safety: reads `app` only.
#ifndef JOURNALDB_TOOLS_COMMON_UNEXPECTED_ARGUMENTS_H_
#define JOURNALDB_TOOLS_COMMON_UNEXPECTED_ARGUMENTS_H_

#include <CLI/CLI.hpp>
#include <string>

namespace journaldb::tools {

// "unknown option --port" (without any "=value"), "unexpected argument
// 7000", or empty if `app` and its subcommands took every token.
inline std::string UnexpectedArgumentError(const CLI::App& app) {
  for (const std::string& token : app.remaining(/*recurse=*/true)) {
    // CLI11 keeps the `--` that ended the options among the leftovers.
    if (token == "--") continue;
    if (token.starts_with("-") && token.size() > 1)
      return "unknown option " + token.substr(0, token.find('='));
    return "unexpected argument " + token;
  }
  return std::string();
}

}  // namespace journaldb::tools

#endif  // JOURNALDB_TOOLS_COMMON_UNEXPECTED_ARGUMENTS_H_
