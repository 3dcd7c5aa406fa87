// Dispatch: finds the command, parses its arguments, runs it and turns its
// outcome into output and an exit code.
#include "cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <new>
#include <vector>

#include "args.h"
#include "command_list.h"
#include "journaldb/journal/text.h"

namespace journaldb::cli {

namespace {

const std::vector<const Command*>& AllCommands() {
#define JOURNAL_CLI_TABLE_ENTRY(Name) &Name##Command(),
  static const std::vector<const Command*> kAll = {JOURNAL_CLI_COMMANDS(JOURNAL_CLI_TABLE_ENTRY)};
#undef JOURNAL_CLI_TABLE_ENTRY
  return kAll;
}

const Command* FindCommand(std::string_view name) {
  for (const Command* c : AllCommands())
    if (c->name == name) return c;
  return nullptr;
}

// Stable identifiers for JSON error documents (StatusCodeName is for people).
std::string_view ErrorId(ExitCode exit, StatusCode code) {
  if (exit == ExitCode::kUsage) return "usage";
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kCorruption:
      return "corruption";
    case StatusCode::kIOError:
      return "io_error";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kClientResetRequired:
      return "client_reset_required";
    case StatusCode::kBusy:
      return "busy";
  }
  return "unknown";
}

void PrintTopHelp(std::ostream& out) {
  out << "journal: inspect and edit a journaldb database from the command line\n\n"
         "usage: journal COMMAND ARGS... [--json] [--help]\n"
         "       journal --version\n\n"
         "commands:\n";
  for (const Command* c : AllCommands())
    out << fmt::format("  {} {}\n      {}\n", c->name, c->synopsis, c->summary);
  out << "  help [COMMAND]\n      show this help, or a command's help\n";
  out << "\n"
         "Every command takes --json (one JSON document on stdout) and --help; an\n"
         "unknown option or an option without its value is a usage error.\n"
         "Read commands (get, ls, log, info, verify) open the database read-only\n"
         "and never create it; write commands (put, incr, del) create it if missing.\n"
         "Recovery snapshot commands (recoveries, diff, export) only read; snapshot\n"
         "opens DB for writing but never creates it.\n"
         "replay writes the snapshot's transactions into DB (never creating it);\n"
         "gc deletes snapshots fully replayed into DB.\n\n"
         "exit codes: 0 ok, 1 error, 2 usage error, 3 verification failed or database\n"
         "damaged, 4 replay quit at the prompt (not an error; a rerun resumes)\n"
         "More: journal help COMMAND, or docs/cli.md.\n";
}

void PrintCommandHelp(const Command& c, std::ostream& out) {
  out << fmt::format("usage: journal {} {} [--json]\n\n{}\n", c.name, c.synopsis, c.summary);
  if (!c.description.empty()) out << "\n" << c.description;
  if (!c.description.empty() && !c.description.ends_with('\n')) out << "\n";
  std::vector<std::pair<std::string, std::string_view>> rows;
  for (const OptionSpec& o : c.options)
    rows.emplace_back(
        o.value_name.empty() ? std::string(o.name) : fmt::format("{} {}", o.name, o.value_name),
        o.help);
  rows.emplace_back("--json", "print one JSON document on stdout");
  rows.emplace_back("--help, -h", "show this help");
  size_t width = 0;
  for (const auto& [left, help] : rows) width = std::max(width, left.size());
  out << "\noptions:\n";
  for (const auto& [left, help] : rows) out << fmt::format("  {:<{}}  {}\n", left, width, help);
  out << "\nexit codes: 0 ok, 1 error, 2 usage error, 3 "
      << (c.name == "verify" ? "verification failed or " : "") << "database damaged"
      << (c.name == "replay" ? ", 4 quit at the prompt (not an error; a rerun resumes)\n" : "\n");
}

int Usage(std::string_view command, std::string_view message, bool json, std::ostream& out,
          std::ostream& err) {
  const Command* c = FindCommand(command);
  std::string prefix = command.empty() ? "journal" : fmt::format("journal {}", command);
  err << prefix << ": " << message << "\n";
  if (c != nullptr) err << fmt::format("usage: journal {} {}\n", c->name, c->synopsis);
  err << fmt::format("Try '{} --help'.\n", prefix);
  if (json)
    out << fmt::format(R"({{"error":{{"code":"usage","message":{}}}}})", text::JsonQuote(message))
        << "\n";
  return static_cast<int>(ExitCode::kUsage);
}

// stderr `journal: <kind>: <message>`; under --json the error document.
int PrintError(const Outcome& outcome, Output& output, std::ostream& out, std::ostream& err) {
  err << "journal: " << outcome.error.ToString() << "\n";
  if (output.json() && outcome.error_document && !output.doc().str().empty())
    out << output.doc().str() << "\n";
  else if (output.json())
    out << fmt::format(R"({{"error":{{"code":"{}","message":{}}}}})",
                       ErrorId(outcome.code, outcome.error.code()),
                       text::JsonQuote(outcome.error.message()))
        << "\n";
  return static_cast<int>(outcome.code);
}

int Finish(const Command& c, const Outcome& outcome, Output& output, std::ostream& out,
           std::ostream& err) {
  switch (outcome.code) {
    case ExitCode::kVerifyFailed:
      if (!outcome.error.ok()) return PrintError(outcome, output, out, err);
      [[fallthrough]];
    case ExitCode::kOk:
      // An empty document: the command streamed its own (Output::stream).
      if (output.json() && !output.doc().str().empty()) out << output.doc().str() << "\n";
      break;
    case ExitCode::kStopped:
      err << "journal: " << outcome.error.message() << "\n";
      if (output.json() && !output.doc().str().empty()) out << output.doc().str() << "\n";
      break;
    case ExitCode::kUsage:
      return Usage(c.name, outcome.error.message(), output.json(), out, err);
    case ExitCode::kError:
      return PrintError(outcome, output, out, err);
  }
  return static_cast<int>(outcome.code);
}

int RunCommandLine(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  // Global flags may come before the command name: journal --json info DB.
  GlobalArgs global;
  if (Status s = ParseGlobalArgs(args, &global); !s.ok())
    return Usage("", s.message(), global.json, out, err);
  if (global.version) {
    if (global.json)
      out << fmt::format(R"({{"version":{}}})", text::JsonQuote(JOURNALDB_VERSION)) << "\n";
    else
      out << "journal " << JOURNALDB_VERSION << "\n";
    return 0;
  }
  if (global.command_line.empty()) {
    if (global.help) {
      PrintTopHelp(out);
      return 0;
    }
    return Usage("", "no command given", global.json, out, err);
  }
  const std::string& name = global.command_line.front();
  const std::vector<std::string> rest(global.command_line.begin() + 1, global.command_line.end());

  const Command* command = FindCommand(name);
  if (name == "help" || command == nullptr) {
    // Neither has options of its own, but --json and --help still count
    // wherever they are, so `journal frob --json` answers in JSON.
    ParsedArgs parsed;
    Status s = ParseArgs(rest, {}, &parsed);
    const bool json = global.json || parsed.json;
    if (command == nullptr && name != "help")
      return Usage("", fmt::format("unknown command {}", text::Quoted(name)), json, out, err);
    if (!s.ok()) return Usage("help", s.message(), json, out, err);
    const std::vector<std::string>& topics = parsed.positional;
    if (topics.empty()) {
      PrintTopHelp(out);
      return 0;
    }
    const Command* c = FindCommand(topics.front());
    if (c == nullptr || topics.size() > 1)
      return Usage("", fmt::format("no help for {}", text::Quoted(topics.back())), json, out, err);
    PrintCommandHelp(*c, out);
    return 0;
  }

  ParsedArgs parsed;
  Status s = ParseArgs(rest, command->options, &parsed);
  parsed.json = parsed.json || global.json;
  if (!s.ok()) return Usage(command->name, s.message(), parsed.json, out, err);
  if (parsed.help || global.help) {
    PrintCommandHelp(*command, out);
    return 0;
  }
  size_t n = parsed.positional.size();
  if (n < command->min_args || n > command->max_args) {
    std::string message =
        n < command->min_args
            ? fmt::format("missing arguments: got {}, need {}", n, command->min_args)
            : fmt::format("too many arguments: got {}, at most {}", n, command->max_args);
    return Usage(command->name, message, parsed.json, out, err);
  }
  Output output(parsed.json, out);
  Outcome outcome = command->run(parsed, output);
  return Finish(*command, outcome, output, out, err);
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  try {
    return RunCommandLine(args, out, err);
  } catch (const std::bad_alloc&) {
    // A commit that throws committed nothing and a replay resumes (docs/api.md,
    // "Allocation failure"): say so, not abort with a core. The database was
    // closed as the exception left the command.
    err << "journal: out of memory (std::bad_alloc): the command stopped; what it committed "
           "stays, a commit it was making may not have happened (see journal log); a replay "
           "resumes where it stopped\n";
    return static_cast<int>(ExitCode::kError);
  }
}

}  // namespace journaldb::cli
