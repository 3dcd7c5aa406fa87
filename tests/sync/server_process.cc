#include "server_process.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/filesystem.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "journaldb/server/admin.h"
#include "support/postgres_cluster.h"

namespace journaldb::testing {

namespace {
std::string ReadLog(const std::string& path) {
  std::ifstream log(path);
  std::stringstream ss;
  ss << log.rdbuf();
  return ss.str();
}
}  // namespace

server::StorageLocation TestStorage(const std::string& data_dir) {
  const char* store = std::getenv("JOURNALDB_TEST_STORE");
  if (store == nullptr || std::string(store) != "postgres") return {data_dir, ""};
  static std::mutex mu;
  static std::map<std::string, std::string> databases;  // data_dir -> conninfo
  std::lock_guard<std::mutex> lock(mu);
  std::string& conninfo = databases[data_dir];
  if (conninfo.empty()) {
    std::string error;
    PostgresCluster* cluster = PostgresCluster::Shared(&error);
    if (cluster != nullptr) conninfo = cluster->NewDatabase(&error);
    Result<std::string> init = conninfo.empty() ? Result<std::string>(Status::IOError(error))
                                                : server::InitPostgres(conninfo);
    EXPECT_TRUE(init.ok()) << "a database for " << data_dir << ": " << init.status().ToString();
    if (!init.ok()) {
      conninfo.clear();
      return {data_dir, ""};
    }
  }
  return {"", conninfo};
}

std::unique_ptr<ServerProcess> ServerProcess::Restart(const std::string& data_dir,
                                                      std::string* error, uint16_t port,
                                                      const std::string& token) {
  std::unique_ptr<ServerProcess> server = Start(data_dir, error, port, token);
  if (server == nullptr && port != 0) server = Start(data_dir, error, 0, token);
  return server;
}

std::unique_ptr<ServerProcess> ServerProcess::Restart(const std::string& data_dir,
                                                      const ServerLaunch& launch,
                                                      std::string* error, uint16_t port) {
  std::unique_ptr<ServerProcess> server = Start(data_dir, error, port, "", launch);
  if (server == nullptr && port != 0) server = Start(data_dir, error, 0, "", launch);
  return server;
}

std::unique_ptr<ServerProcess> ServerProcess::Start(const std::string& data_dir, std::string* error,
                                                    uint16_t port, const std::string& token) {
  return Start(data_dir, error, port, token, ServerLaunch{});
}

std::unique_ptr<ServerProcess> ServerProcess::Start(const std::string& data_dir,
                                                    const ServerLaunch& launch,
                                                    std::string* error) {
  return Start(data_dir, error, 0, "", launch);
}

pid_t ServerProcess::pid() const { return child_ ? child_->pid() : -1; }

std::unique_ptr<ServerProcess> ServerProcess::Start(const std::string& data_dir, std::string* error,
                                                    uint16_t port, const std::string& token,
                                                    const ServerLaunch& launch) {
  std::unique_ptr<ServerProcess> p(new ServerProcess());
  p->log_path_ = data_dir + ".log";
  const std::string postgres =
      launch.postgres.empty() ? TestStorage(data_dir).postgres : launch.postgres;
  if (postgres.empty() && launch.init_missing_data && !boost::filesystem::exists(data_dir)) {
    std::string output;
    if (RunServerCommand({"init", "--data", data_dir}, &output) != 0) {
      *error = "journal-server init failed: " + output;
      return nullptr;
    }
  }
  std::vector<std::string> args = launch.wrapper;
  args.insert(args.end(), {JOURNAL_SERVER_PATH});
  if (postgres.empty())
    args.insert(args.end(), {"--data", data_dir});
  else
    args.insert(args.end(), {"--postgres", postgres});
  args.insert(args.end(), {"--listen", "127.0.0.1:" + std::to_string(port)});
  if (!token.empty()) args.insert(args.end(), {"--token", token});
  args.insert(args.end(), launch.extra_args.begin(), launch.extra_args.end());
  SpawnOptions options;
  options.stderr_path = p->log_path_;
  options.env = launch.env;
  p->child_ = ChildProcess::Start(args, error, options);
  if (p->child_ == nullptr) return nullptr;
  std::string line = p->child_->ReadLine().value_or("");
  const std::string prefix = "listening on 127.0.0.1:";
  if (line.rfind(prefix, 0) != 0) {
    *error = "journal-server did not start: " + line + " / log: " + ReadLog(p->log_path_);
    p->child_.reset();  // an expected end (a port taken), not a crash to report
    return nullptr;
  }
  p->port_ = static_cast<uint16_t>(std::stoi(line.substr(prefix.size())));
  p->address_ = "127.0.0.1:" + std::to_string(p->port_);
  return p;
}

ServerProcess::~ServerProcess() { Kill(); }

void ServerProcess::Kill() {
  if (child_ == nullptr) return;
  if (std::optional<int> status = child_->Poll()) {
    // It died before anyone stopped it: a server crash. Show why.
    child_.reset();
    ADD_FAILURE() << "journal-server exited by itself (wait status " << *status << "); log:\n"
                  << ReadLog(log_path_);
    return;
  }
  child_.reset();  // SIGKILLs and reaps
}

int ServerProcess::Terminate() {
  if (child_ == nullptr) return -1;
  child_->Kill(SIGTERM);
  int status = child_->Wait();
  child_.reset();
  return ExitCodeOf(status);
}

ProcessResult RunServerUntilExit(std::vector<std::string> args) {
  args.insert(args.begin(), JOURNAL_SERVER_PATH);
  SpawnOptions options;
  options.timeout = std::chrono::seconds(30);
  return RunProcess(args, options);
}

int RunServerCommand(const std::vector<std::string>& args, std::string* output,
                     const std::vector<std::string>& env) {
  std::vector<std::string> argv = args;
  argv.insert(argv.begin(), JOURNAL_SERVER_PATH);
  SpawnOptions options;
  options.env = env;
  ProcessResult r = RunProcess(argv, options);
  *output = r.out + r.err;
  return r.exit_code >= 0 ? r.exit_code : r.signal > 0 ? 128 + r.signal : -1;
}

}  // namespace journaldb::testing
