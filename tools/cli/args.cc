#include "args.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "unexpected_arguments.h"

namespace journaldb::cli {

namespace {

// A flag is the whole statement: `--json=false` is a usage error rather
// than a way to switch it off.
void AddFlag(CLI::App& app, const std::string& names) {
  app.add_flag(names)->disable_flag_override();
}

// The flags every parse knows. CLI11's own --help is replaced: the
// dispatcher prints help in the format docs/cli.md shows.
void AddCommonFlags(CLI::App& app) {
  app.set_help_flag();
  AddFlag(app, "--json");
  AddFlag(app, "-h,--help");
}

// Runs CLI11 over `args`; its errors become usage errors.
Status RunParser(CLI::App& app, const std::vector<std::string>& args) {
  // CLI11 takes its input last argument first.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return Status::InvalidArgument(e.what());
  }
  return Status::OK();
}

}  // namespace

Status ParseArgs(const std::vector<std::string>& args, std::span<const OptionSpec> options,
                 ParsedArgs* parsed) {
  *parsed = ParsedArgs();
  CLI::App app;
  // Unknown options are collected, not thrown, so the error can say
  // "unknown option --x" whatever else is on the line.
  app.allow_extras();
  AddCommonFlags(app);
  for (const OptionSpec& o : options) {
    if (o.value_name.empty())
      AddFlag(app, std::string(o.name));
    else
      app.add_option(std::string(o.name))->type_name(std::string(o.value_name));
  }
  app.add_option("positional", parsed->positional);
  Status s = RunParser(app, args);
  parsed->json = app.count("--json") > 0;
  parsed->help = app.count("--help") > 0;
  if (!s.ok()) return s;
  // Every positional went to parsed->positional, so only options are left.
  if (std::string error = tools::UnexpectedArgumentError(app); !error.empty())
    return Status::InvalidArgument(error);
  for (const OptionSpec& o : options) {
    const CLI::Option* opt = app.get_option(std::string(o.name));
    if (opt->count() == 0) continue;
    parsed->options.emplace(o.name, o.value_name.empty() ? "" : opt->as<std::string>());
  }
  return Status::OK();
}

Status ParseGlobalArgs(const std::vector<std::string>& args, GlobalArgs* parsed) {
  *parsed = GlobalArgs();
  CLI::App app;
  // Parsing stops at the first positional (the command name); it and all
  // that follows it are left for the command's own parse.
  app.prefix_command();
  AddCommonFlags(app);
  AddFlag(app, "--version");
  Status s = RunParser(app, args);
  parsed->json = app.count("--json") > 0;
  parsed->help = app.count("--help") > 0;
  parsed->version = app.count("--version") > 0;
  if (!s.ok()) return s;
  std::vector<std::string> rest = app.remaining();
  if (!rest.empty() && rest.front() == "--") rest.erase(rest.begin());
  // Before the command name, prefix mode leaves unknown options to us.
  else if (!rest.empty() && rest.front().starts_with("-"))
    return Status::InvalidArgument(
        fmt::format("{} before the command", tools::UnexpectedArgumentError(app)));
  parsed->command_line = std::move(rest);
  return Status::OK();
}

}  // namespace journaldb::cli
