#include "args.h"

#include <fmt/format.h>

#include <algorithm>

namespace journaldb::cli {

Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             std::span<const OptionSpec> options) {
  ParsedArgs parsed;
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended || !arg.starts_with("-") || arg == "-") {
      parsed.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "--json") {
      parsed.json = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      // Single-dash tokens are values (a delta of -5), never options.
      parsed.positional.push_back(arg);
      continue;
    }
    size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    auto spec = std::find_if(options.begin(), options.end(),
                             [&](const OptionSpec& o) { return o.name == name; });
    if (spec == options.end())
      return Status::InvalidArgument(fmt::format("unknown option {}", name));
    std::string value;
    if (spec->value_name.empty()) {
      if (eq != std::string::npos)
        return Status::InvalidArgument(fmt::format("option {} takes no value", name));
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::InvalidArgument(
          fmt::format("option {} needs a value ({})", name, spec->value_name));
    }
    if (!parsed.options.emplace(name, std::move(value)).second)
      return Status::InvalidArgument(fmt::format("option {} is given twice", name));
  }
  return parsed;
}

}  // namespace journaldb::cli
