// journal-server: runs the reference sync server, or an operator command on
// a stopped server's data directory (docs/server.md).
//
//   journal-server --data DIR --listen 127.0.0.1:7000 [--token T]
//   journal-server trim --data DIR (--below VERSION | --older-than SECONDS)
//   journal-server backup --data DIR --to DIR
//   journal-server restore --data DIR --from DIR
//   journal-server reset-client --data DIR ID
#include <fmt/format.h>
#include <signal.h>

#include <charconv>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "journaldb/server/admin.h"
#include "journaldb/server/server.h"

namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  journal-server --data DIR [--listen HOST:PORT] [--token TOKEN]\n"
    "  journal-server trim --data DIR (--below VERSION | --older-than SECONDS)\n"
    "  journal-server backup --data DIR --to DIR\n"
    "  journal-server restore --data DIR --from DIR\n"
    "  journal-server reset-client --data DIR CLIENT_ID\n"
    "The operator commands need the server stopped. See docs/server.md.\n";

struct Args {
  std::string command;  // empty: serve
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
};

std::optional<Args> Parse(int argc, char** argv, std::string* error) {
  Args a;
  int i = 1;
  if (i < argc && argv[i][0] != '-') a.command = argv[i++];
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) == 0) {
      if (arg == "--help") {
        a.command = "help";
        continue;
      }
      if (i + 1 >= argc) {
        *error = fmt::format("{} needs a value", arg);
        return std::nullopt;
      }
      a.flags[arg.substr(2)] = argv[++i];
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}

std::optional<uint64_t> Number(const std::string& s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

int Fail(const std::string& message, int code = 1) {
  std::cerr << "journal-server: " << message << "\n";
  return code;
}

int Report(const journaldb::Result<std::string>& r) {
  if (!r.ok()) return Fail(r.status().ToString());
  std::cout << *r << "\n";
  return 0;
}

int Serve(const Args& a) {
  journaldb::server::ServerOptions options;
  options.data_dir = a.flags.count("data") ? a.flags.at("data") : "";
  if (a.flags.count("listen")) options.listen = a.flags.at("listen");
  if (a.flags.count("token")) options.token = a.flags.at("token");
  options.log = &std::cerr;
  if (options.data_dir.empty()) return Fail(std::string("--data is required\n") + kUsage, 2);

  // SIGTERM and SIGINT are taken synchronously by sigwait below; block them
  // before any thread starts so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = journaldb::server::Server::Start(options);
  if (!server.ok()) return Fail(server.status().ToString());
  auto host = options.listen.substr(0, options.listen.rfind(':'));
  // Tests and scripts read the port from this line.
  std::cout << "listening on " << host << ":" << (*server)->port() << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::cerr << "signal " << sig << ": stopping" << std::endl;
  (*server)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string error;
  std::optional<Args> a = Parse(argc, argv, &error);
  if (!a) return Fail(error + "\n" + kUsage, 2);
  if (a->command == "help") {
    std::cout << kUsage;
    return 0;
  }
  auto flag = [&](const char* name) -> std::string {
    auto it = a->flags.find(name);
    return it == a->flags.end() ? std::string() : it->second;
  };
  if (a->command.empty()) return Serve(*a);
  const std::string data = flag("data");
  if (data.empty()) return Fail(std::string("--data is required\n") + kUsage, 2);
  if (a->command == "trim") {
    if (!flag("below").empty() == !flag("older-than").empty())
      return Fail("trim needs exactly one of --below VERSION and --older-than SECONDS", 2);
    std::optional<uint64_t> n = Number(flag("below").empty() ? flag("older-than") : flag("below"));
    if (!n) return Fail("trim: not a number", 2);
    return Report(flag("below").empty() ? journaldb::server::TrimOlderThan(data, *n)
                                        : journaldb::server::TrimBelow(data, *n));
  }
  if (a->command == "backup") {
    if (flag("to").empty()) return Fail("backup needs --to DIR", 2);
    return Report(journaldb::server::Backup(data, flag("to")));
  }
  if (a->command == "restore") {
    if (flag("from").empty()) return Fail("restore needs --from DIR", 2);
    return Report(journaldb::server::Restore(data, flag("from")));
  }
  if (a->command == "reset-client") {
    std::optional<uint64_t> id =
        a->positional.size() == 1 ? Number(a->positional[0]) : std::nullopt;
    if (!id || *id == 0) return Fail("reset-client needs one client id (a positive number)", 2);
    return Report(journaldb::server::ResetClient(data, *id));
  }
  return Fail(fmt::format("unknown command {}\n{}", a->command, kUsage), 2);
}
