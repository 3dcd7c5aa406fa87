// journal-server: runs the reference sync server on a data directory or a
// PostgreSQL database, or an operator command on its store (docs/server.md).
//
//   journal-server --data DIR --listen 127.0.0.1:7000 [--token-file FILE]
//                  [--tls-cert FILE --tls-key FILE]
//   journal-server --postgres-file FILE --listen 127.0.0.1:7000
//   journal-server init --data DIR        (or --postgres CONNINFO)
//   journal-server trim --data DIR (--below VERSION | --older-than SECONDS)
//   journal-server backup --data DIR --to DIR
//   journal-server restore --data DIR --from DIR
//   journal-server reset-client --data DIR ID
//   journal-server expire-registrations --data DIR --older-than SECONDS
//   journal-server new-epoch --postgres CONNINFO [--replaced-postgres CONNINFO]
//
// CLI11 parses the command line; an unknown option or argument is a usage
// error (exit 2), never ignored. SIGHUP makes a serving server load its TLS
// certificate and key again.
#include <fmt/format.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "decimal_option.h"
#include "journaldb/server/admin.h"
#include "journaldb/server/listen_address.h"
#include "journaldb/server/server.h"
#include "unexpected_arguments.h"

namespace {

constexpr char kUsage[] =
    "usage:\n"
    "  journal-server (--data DIR | --postgres CONNINFO | --postgres-file FILE)\n"
    "                 [--listen HOST:PORT] [--token-file FILE | --token TOKEN]\n"
    "                 [--tls-cert FILE --tls-key FILE] [--insecure]\n"
    "                 [--max-connections N] [--max-connections-per-source N]\n"
    "                 [--hello-timeout-ms MS] [--frame-timeout-ms MS] [--idle-timeout-ms MS]\n"
    "                 [--max-inflight-bytes BYTES] [--max-wait-ms MS]\n"
    "                 [--expire-unused-registrations-after SECONDS]\n"
    "  journal-server init STORE\n"
    "  journal-server trim STORE (--below VERSION | --older-than SECONDS)\n"
    "  journal-server backup --data DIR --to DIR\n"
    "  journal-server restore --data DIR --from DIR\n"
    "  journal-server reset-client STORE CLIENT_ID\n"
    "  journal-server expire-registrations STORE --older-than SECONDS\n"
    "  journal-server new-epoch (--postgres CONNINFO | --postgres-file FILE)\n"
    "                 [--replaced-postgres CONNINFO]\n"
    "  journal-server --version\n"
    "STORE is --data DIR, --postgres CONNINFO or --postgres-file FILE; without any of them\n"
    "JOURNALDB_SERVER_POSTGRES names the database. `init` creates a new store, once; a server\n"
    "refuses a missing or empty data directory. On a data directory the operator commands\n"
    "need the server stopped; on PostgreSQL they run beside the serving nodes. A serving\n"
    "server stops on SIGTERM or SIGINT and loads --tls-cert and --tls-key again on SIGHUP.\n"
    "See docs/server.md.\n";

constexpr int kUsageError = 2;

// The registration token when neither --token nor --token-file is given.
constexpr char kTokenEnvironmentVariable[] = "JOURNALDB_SERVER_TOKEN";
// The PostgreSQL connection string when neither --data nor --postgres nor
// --postgres-file is given.
constexpr char kPostgresEnvironmentVariable[] = "JOURNALDB_SERVER_POSTGRES";

int Fail(const std::string& message, int code = 1) {
  std::cerr << "journal-server: " << message << "\n";
  return code;
}

int Report(const journaldb::Result<std::string>& r) {
  if (!r.ok()) return Fail(r.status().ToString());
  std::cout << *r << "\n";
  return 0;
}

int Serve(journaldb::server::ServerOptions options) {
  options.log = &std::cerr;

  // SIGTERM and SIGINT (stop) and SIGHUP (reload the TLS certificate) are
  // taken synchronously by sigwait below, on this thread; block them before
  // any thread starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = journaldb::server::Server::Start(options);
  if (!server.ok()) return Fail(server.status().ToString());
  auto host = options.listen.substr(0, options.listen.rfind(':'));
  // Tests and scripts read the port from this line.
  std::cout << "listening on " << host << ":" << (*server)->port() << std::endl;
  int sig = 0;
  // The server logs the reload's outcome; a failed one leaves it serving.
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) (void)(*server)->ReloadTls();
  std::cerr << "signal " << sig << ": stopping" << std::endl;
  (*server)->Stop();
  return 0;
}

// A secret kept in a file (`option` names it in errors): the whole file but
// a final line break, not empty.
journaldb::Result<std::string> ReadSecretFile(const char* option, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad())
    return journaldb::Status::InvalidArgument(fmt::format("{} {}: cannot read it", option, path));
  std::string secret = text.str();
  if (secret.ends_with('\n')) secret.pop_back();
  if (secret.ends_with('\r')) secret.pop_back();
  if (secret.empty())
    return journaldb::Status::InvalidArgument(fmt::format("{} {}: it is empty", option, path));
  return secret;
}

// What the command line asked for, filled in by CLI11.
struct CommandLine {
  journaldb::server::ServerOptions serve;  // no command: serve
  std::string token_file;
  std::string data;               // an operator command's --data
  std::string postgres;           // --postgres of any form
  std::string postgres_file;      // --postgres-file of any form
  std::string replaced_postgres;  // new-epoch --replaced-postgres
  uint64_t below = 0;
  uint64_t older_than = 0;
  std::string to;
  std::string from;
  uint64_t client_id = 0;
};

// Every (sub)command takes -h/--help. CLI11 stops at it before checking
// required options; the help printed is kUsage, one text for all commands.
void AddHelp(CLI::App* app) { app->set_help_flag("-h,--help", "print the usage"); }

// A data directory's operator command: it works on a stopped server's
// --data DIR.
CLI::App* AddOperatorCommand(CLI::App& app, const char* name, const char* what, CommandLine& line) {
  CLI::App* command = app.add_subcommand(name, what);
  AddHelp(command);
  command->add_option("--data", line.data, "the stopped server's data directory")->required();
  return command;
}

// --postgres CONNINFO and --postgres-file FILE, one or none of them.
void AddPostgresOptions(CLI::App* app, CommandLine& line) {
  CLI::Option* conninfo = app->add_option("--postgres", line.postgres, "libpq connection string");
  app->add_option("--postgres-file", line.postgres_file, "file holding the connection string")
      ->excludes(conninfo);
}

// An operator command on either store: --data DIR or PostgreSQL.
CLI::App* AddStoreCommand(CLI::App& app, const char* name, const char* what, CommandLine& line) {
  CLI::App* command = app.add_subcommand(name, what);
  AddHelp(command);
  CLI::Option* data = command->add_option("--data", line.data, "the data directory");
  AddPostgresOptions(command, line);
  data->excludes(command->get_option("--postgres"))
      ->excludes(command->get_option("--postgres-file"));
  return command;
}

// Where the command line says the store is: --data, --postgres,
// --postgres-file or, without any, JOURNALDB_SERVER_POSTGRES. An empty
// location if none names one.
journaldb::Result<journaldb::server::StorageLocation> LocationOf(const CommandLine& line,
                                                                 const std::string& data) {
  journaldb::server::StorageLocation location{data, line.postgres};
  if (!line.postgres_file.empty()) {
    journaldb::Result<std::string> c = ReadSecretFile("--postgres-file", line.postgres_file);
    if (!c.ok()) return c.status();
    location.postgres = *c;
  }
  if (location.data_dir.empty() && location.postgres.empty())
    if (const char* c = std::getenv(kPostgresEnvironmentVariable)) location.postgres = c;
  return location;
}

// Serving options before an operator command's name would be silently
// unused: the usage error for the first one given, or empty.
std::string MisplacedServingOption(const CLI::App& app,
                                   const std::vector<const CLI::Option*>& serving) {
  if (app.get_subcommands().empty()) return std::string();
  for (const CLI::Option* o : serving)
    if (o->count() > 0)
      return fmt::format(
          "{} before `{}` is a serving option; an operator command takes its "
          "options after its name",
          o->get_name(), app.get_subcommands().front()->get_name());
  return std::string();
}

int UsageError(const std::string& message) {
  std::cerr << "journal-server: " << message << "\n" << kUsage;
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  using journaldb::tools::AddDecimalOption;
  // A write past the file-size limit (RLIMIT_FSIZE) would end the process
  // with SIGXFSZ, mid-command or with every connection; ignored, the write
  // fails with EFBIG and the store reports it ("File too large").
  signal(SIGXFSZ, SIG_IGN);
  CommandLine line;
  CLI::App app("the journaldb reference sync server", "journal-server");
  // Collected, then reported by UnexpectedArgumentError; subcommands inherit it.
  app.allow_extras();
  AddHelp(&app);
  app.set_version_flag("--version", std::string("journal-server ") + JOURNALDB_VERSION);
  CLI::Option* serve_data = app.add_option("--data", line.serve.data_dir);
  AddPostgresOptions(&app, line);
  CLI::Option* serve_postgres = app.get_option("--postgres");
  CLI::Option* serve_postgres_file = app.get_option("--postgres-file");
  serve_data->excludes(serve_postgres)->excludes(serve_postgres_file);
  CLI::Option* listen = app.add_option("--listen", line.serve.listen);
  CLI::Option* token = app.add_option("--token", line.serve.token);
  CLI::Option* token_file = app.add_option("--token-file", line.token_file)->excludes(token);
  CLI::Option* tls_cert = app.add_option("--tls-cert", line.serve.tls_cert_file);
  CLI::Option* tls_key = app.add_option("--tls-key", line.serve.tls_key_file);
  CLI::Option* insecure = app.add_flag("--insecure", line.serve.insecure);
  constexpr uint32_t kMaxU32 = std::numeric_limits<uint32_t>::max();
  journaldb::server::ServerOptions& serve = line.serve;
  // Every option of the serving form, for MisplacedServingOption.
  const std::vector<const CLI::Option*> serving = {
      serve_data,
      serve_postgres,
      serve_postgres_file,
      listen,
      token,
      token_file,
      tls_cert,
      tls_key,
      insecure,
      AddDecimalOption(&app, "--max-connections", &serve.max_connections, uint32_t{1}, kMaxU32),
      AddDecimalOption(&app, "--max-connections-per-source", &serve.max_connections_per_source,
                       uint32_t{1}, kMaxU32),
      AddDecimalOption(&app, "--hello-timeout-ms", &serve.hello_timeout_ms, uint32_t{1}, kMaxU32),
      AddDecimalOption(&app, "--frame-timeout-ms", &serve.frame_timeout_ms, uint32_t{1}, kMaxU32),
      AddDecimalOption(&app, "--idle-timeout-ms", &serve.idle_timeout_ms, uint32_t{1}, kMaxU32),
      AddDecimalOption(&app, "--max-wait-ms", &serve.max_wait_ms, uint32_t{0}, kMaxU32),
      AddDecimalOption(&app, "--max-inflight-bytes", &serve.max_inflight_frame_bytes,
                       size_t{journaldb::wire::kMaxFrameBytes}, std::numeric_limits<size_t>::max()),
      AddDecimalOption(&app, "--expire-unused-registrations-after",
                       &serve.expire_unused_registrations_after_s, uint64_t{0},
                       std::numeric_limits<uint64_t>::max()),
  };
  app.require_subcommand(0, 1);

  CLI::App* init =
      AddStoreCommand(app, "init", "create a new data directory or PostgreSQL schema", line);
  CLI::App* trim = AddStoreCommand(app, "trim", "remove old changesets", line);
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  CLI::Option* below = AddDecimalOption(trim, "--below", &line.below, uint64_t{0}, kMax);
  CLI::Option* older_than =
      AddDecimalOption(trim, "--older-than", &line.older_than, uint64_t{0}, kMax);
  CLI::App* backup = AddOperatorCommand(app, "backup", "checkpoint the data directory", line);
  backup->add_option("--to", line.to)->required();
  CLI::App* restore = AddOperatorCommand(app, "restore", "restore a backup", line);
  restore->add_option("--from", line.from)->required();
  CLI::App* reset_client =
      AddStoreCommand(app, "reset-client", "demand a client reset of one client", line);
  AddDecimalOption(reset_client, "CLIENT_ID", &line.client_id, uint64_t{1}, kMax)->required();
  CLI::App* expire_registrations = AddStoreCommand(
      app, "expire-registrations", "remove registrations whose clients never came back", line);
  AddDecimalOption(expire_registrations, "--older-than", &line.older_than, uint64_t{0}, kMax)
      ->required();
  CLI::App* new_epoch =
      app.add_subcommand("new-epoch", "start a new epoch after a PostgreSQL restore");
  AddHelp(new_epoch);
  AddPostgresOptions(new_epoch, line);
  new_epoch->add_option("--replaced-postgres", line.replaced_postgres,
                        "the database the restore replaces, if still readable");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << kUsage;
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    // `journal-server --data DIR trim ...` fails as "--data is required";
    // saying where --data goes is the better answer.
    std::string misplaced = MisplacedServingOption(app, serving);
    return UsageError(misplaced.empty() ? e.what() : misplaced);
  }
  if (std::string error = journaldb::tools::UnexpectedArgumentError(app); !error.empty())
    return UsageError(error);
  if (app.get_subcommands().empty()) {
    journaldb::Result<journaldb::server::StorageLocation> location =
        LocationOf(line, line.serve.data_dir);
    if (!location.ok()) return Fail(location.status().message());
    if (location->data_dir.empty() && location->postgres.empty())
      return UsageError(fmt::format("--data DIR or --postgres CONNINFO (or {}) is required",
                                    kPostgresEnvironmentVariable));
    line.serve.postgres = location->postgres;
    // Checked here too (Server::Start does) to be a usage error, not a
    // failed start.
    if (auto address = journaldb::server::ParseListenAddress(line.serve.listen); !address.ok())
      return UsageError(address.status().message());
    if (token_file->count() > 0) {
      journaldb::Result<std::string> t = ReadSecretFile("--token-file", line.token_file);
      if (!t.ok()) return Fail(t.status().message());
      line.serve.token = *t;
    } else if (token->count() > 0) {
      std::cerr << "journal-server: warning: --token is visible to every user of this machine "
                   "(ps); prefer --token-file or "
                << kTokenEnvironmentVariable << "\n";
    } else if (const char* t = std::getenv(kTokenEnvironmentVariable)) {
      line.serve.token = t;
    }
    return Serve(line.serve);
  }
  if (std::string misplaced = MisplacedServingOption(app, serving); !misplaced.empty())
    return UsageError(misplaced);
  if (backup->parsed()) return Report(journaldb::server::Backup(line.data, line.to));
  if (restore->parsed()) return Report(journaldb::server::Restore(line.data, line.from));
  journaldb::Result<journaldb::server::StorageLocation> location = LocationOf(line, line.data);
  if (!location.ok()) return Fail(location.status().message());
  if (location->data_dir.empty() && location->postgres.empty())
    return UsageError(fmt::format("{} needs --data DIR or --postgres CONNINFO (or {})",
                                  app.get_subcommands().front()->get_name(),
                                  kPostgresEnvironmentVariable));
  if (init->parsed()) return Report(journaldb::server::Init(*location));
  if (new_epoch->parsed()) {
    journaldb::server::StorageLocation replaced{"", line.replaced_postgres};
    return Report(journaldb::server::NewEpoch(
        *location, line.replaced_postgres.empty() ? nullptr : &replaced));
  }
  if (trim->parsed()) {
    if ((below->count() > 0) == (older_than->count() > 0))
      return UsageError("trim needs exactly one of --below VERSION and --older-than SECONDS");
    return Report(below->count() > 0
                      ? journaldb::server::TrimBelow(*location, line.below)
                      : journaldb::server::TrimOlderThan(*location, line.older_than));
  }
  if (expire_registrations->parsed())
    return Report(journaldb::server::ExpireRegistrations(*location, line.older_than));
  return Report(journaldb::server::ResetClient(*location, line.client_id));
}
