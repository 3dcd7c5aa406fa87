// journal-bench: throughput benchmarks for journaldb (docs/benchmarks.md).
//
//   journal-bench --workload write [--ops N] [--threads T] [--runs R] [--db DIR]
//   journal-bench --workload snapshot [--sizes 100M,1G] [--runs R]
//   journal-bench --workload replay [--ops N] [--txn-ops K] [--db DIR]
//   journal-bench --workload replay-sqlite [--ops N] [--txn-ops K] [--runs R]
//   journal-bench --workload list-insert [--ops N] [--runs R]
//   journal-bench --workload list-replay [--ops N] [--txn-ops K]
//   journal-bench --workload sqlite [--ops N] [--runs R] [--threads T]
//   journal-bench --workload sqlite-sync [--ops N] [--runs R] [--threads T]
//   journal-bench --workload sync [--idle-connections N] [--tls] [--ops N] [--threads T]
//   journal-bench --workload sync-nodes [--ops N] [--postgres CONNINFO]
//
// Each workload prints one JSON object per line on stdout. Exit codes: 0 ok,
// 1 a run failed, 2 usage error (CLI11 parses the line: an unknown option or
// a missing value is one).
#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bench.h"
#include "decimal_option.h"
#include "rss.h"
#include "unexpected_arguments.h"

namespace journaldb::bench {
namespace {

struct Workload {
  const char* name;
  WorkloadFn run;
  const char* help;
};

// Adding a workload: one workload_<name>.cc with its Run function declared in
// bench.h, and one row here.
constexpr Workload kWorkloads[] = {
    {"write", RunWrite,
     "single-op transactions (16-byte key, one 200-byte string field), buffered durability,\n"
     "      against a bare RocksDB writing the same bytes; prints both and their ratio\n"
     "      (default --ops 200000, --runs 5 per side, alternating, medians)"},
    {"write-sync", RunWriteSync,
     "the same transactions with an fsync per commit from 1, 4 and 16 threads\n"
     "      (group commit); --threads T runs only T (default --ops 20000 per thread count)"},
    {"sync", RunSync,
     "a journal-server in a child process over loopback TCP (--tls: TLS with a self-signed\n"
     "      certificate), --idle-connections N idle long-polling clients held open (default\n"
     "      0): the server's memory, threads and CPU over 3 s idle, a fresh client's sync of\n"
     "      1,000 entries, then upload-and-ack throughput, 1 and 16 clients, batched and one\n"
     "      ack per commit (--threads T: T clients; default --ops 20000 batched, a tenth\n"
     "      per commit; --postgres CONNINFO: the server on a scratch database there)"},
    {"sync-nodes", RunSyncNodes,
     "versions committed per second with 1, 8 and 32 clients uploading one transaction at a\n"
     "      time, spread over in-process journal-server nodes: one on a data directory, then\n"
     "      1, 2 and 3 on one PostgreSQL database each (--postgres CONNINFO: scratch databases\n"
     "      are made on that server and dropped); and the fan-out latency, upload on the\n"
     "      first node until a client of the last one has it, median and p99 (default --ops\n"
     "      2000 per run)"},
    {"snapshot", RunSnapshot,
     "recovery snapshot time for a database of each --sizes (default 100M,1G; incompressible\n"
     "      values), with every op diverged and again after uploading everything to an\n"
     "      in-process journal-server, next to a durable copy of its directory (--runs R\n"
     "      each, default 5, medians)"},
    {"replay", RunReplay,
     "replays a recovery snapshot of N diverged ops (--txn-ops K per transaction, default 10)\n"
     "      into a fresh database with local-wins, in a child process: ops/s and peak RSS\n"
     "      (default N = 100000 and 1000000; --ops N runs only N; --db DIR builds in DIR\n"
     "      and keeps it, to time `journal replay` of the same snapshot)"},
    {"replay-sqlite", RunReplaySqlite,
     "the replayer (local-wins) against SQLite's session changeset apply (conflicts\n"
     "      REPLACE) of the same N updates of existing objects, every tenth changed on the\n"
     "      server since; 16-byte keys, 200-byte values; prints both rates and their ratio\n"
     "      (default --ops 200000, --txn-ops 1 and 10, --runs 3 per side, alternating, medians)"},
    {"list-insert", RunListInsert,
     "list inserts, one per transaction, into 4 lists until each holds L elements (half\n"
     "      append, half after a random element or at the head): ops/s and the journal bytes\n"
     "      per op, which grow with L since a list op's before-image is the whole list\n"
     "      (default L = 100, 1000 and 2000; --ops N runs only L = N / 4; --runs R per\n"
     "      length, default 3, medians)"},
    {"list-replay", RunListReplay,
     "replays a recovery snapshot of N diverged list ops (70% inserts, 10% each sets,\n"
     "      removes, moves; 250 ops per list; --txn-ops K per transaction, default 10) into a\n"
     "      fresh database with local-wins, in a child process: ops/s and peak RSS (default\n"
     "      N = 10000 and 100000; --ops N runs only N)"},
    {"sqlite", RunSqlite,
     "the write workload's transactions, one thread, buffered durability, against SQLite\n"
     "      (WAL, synchronous=NORMAL) reading, upserting and journaling the same bytes in\n"
     "      one transaction per op; prints both and their ratio (default --ops 200000,\n"
     "      --runs 5 per side, alternating, medians)"},
    {"sqlite-sync", RunSqliteSync,
     "the same with an fsync per commit: Durability::kSyncEveryCommit against\n"
     "      synchronous=FULL (default --ops 20000, --runs 5 per side; --threads T commits\n"
     "      from T threads on both sides, SQLite's taking turns on its one writer)"},
};

void PrintUsage(std::FILE* out) {
  std::fprintf(
      out,
      "usage: journal-bench --workload NAME [--ops N] [--threads T] [--runs R] [--db DIR]\n"
      "                     [--sizes LIST] [--txn-ops K] [--postgres CONNINFO]\n"
      "                     [--idle-connections N] [--tls] [--memory-budget SIZE]\n"
      "       journal-bench --version\n"
      "\n"
      "Prints one JSON object per line: workload, ops, seconds, ops_per_s, peak_rss_kib\n"
      "and workload-specific fields (snapshot: times in milliseconds).\n"
      "\n"
      "  --ops N      operations per run (total over all threads)\n"
      "  --threads T  committing threads\n"
      "  --runs R     runs per side, for workloads with a baseline (list-insert:\n"
      "               runs per list length)\n"
      "  --db DIR     use and keep this database directory (created if missing)\n"
      "               instead of a fresh temporary database per run; runs in this\n"
      "               process, journaldb only, one line at the end\n"
      "  --sizes LIST database sizes, comma-separated, with an optional K, M or G\n"
      "               suffix (powers of 1024), e.g. 100M,1G\n"
      "  --txn-ops K  operations per transaction\n"
      "  --postgres CONNINFO  a PostgreSQL server (libpq connection string) to make\n"
      "               scratch databases on (sync-nodes, sync)\n"
      "  --idle-connections N  idle long-polling clients held open (sync)\n"
      "  --tls        sync over TLS (sync)\n"
      "  --memory-budget SIZE  Options::memory_budget_bytes of the databases written\n"
      "               (write, replay, list-replay), with an optional K, M or G suffix;\n"
      "               0: no budget\n"
      "\n"
      "workloads:\n");
  for (const Workload& w : kWorkloads) std::fprintf(out, "  %s\n      %s\n", w.name, w.help);
}

// "100M,1G" -> {100 << 20, 1 << 30}. Every size positive.
bool ParseSizes(std::string_view text, std::vector<uint64_t>& out) {
  out.clear();
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    int shift = 0;  // K, M, G: 10, 20, 30
    if (!item.empty()) {
      const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(item.back())));
      if (size_t u = std::string_view("KMG").find(unit); u != std::string_view::npos) {
        shift = 10 * static_cast<int>(u + 1);
        item.remove_suffix(1);
      }
    }
    std::optional<uint64_t> n = tools::ParseDecimal<uint64_t>(item);
    if (!n || *n == 0 || *n > (uint64_t{1} << (40 - shift))) return false;
    out.push_back(*n << shift);
  }
  return !out.empty();
}

int Usage(const std::string& why) {
  std::fprintf(stderr, "journal-bench: %s\n\n", why.c_str());
  PrintUsage(stderr);
  return 2;
}

// CLI11 reads the numbers into these; a BenchArgs field stays nullopt (the
// workload's default) unless its option was given.
template <typename T>
void CopyIfGiven(const CLI::Option* option, T value, std::optional<T>& out) {
  if (option->count() > 0) out = value;
}

int Main(int argc, char** argv) {
  BenchArgs args;
  uint64_t ops = 0, txn_ops = 0, idle_connections = 0;
  int threads = 0, runs = 0;
  std::string sizes, memory_budget;

  CLI::App app("throughput benchmarks for journaldb", "journal-bench");
  app.allow_extras();  // reported by UnexpectedArgumentError below
  app.set_help_flag("-h,--help", "print the usage");
  app.set_version_flag("--version", std::string("journal-bench ") + JOURNALDB_VERSION +
                                        " (malloc: " + AllocatorName() + ")");
  app.add_option("--workload", args.workload)->required();
  app.add_option("--postgres", args.postgres)->check([](const std::string& conninfo) {
    return conninfo.empty() ? std::string("needs a libpq connection string") : std::string();
  });
  app.add_option("--db", args.db)->check([](const std::string& dir) {
    return dir.empty() ? std::string("needs a directory") : std::string();
  });
  CLI::Option* ops_option = tools::AddDecimalOption(&app, "--ops", &ops, uint64_t{1}, UINT64_MAX);
  CLI::Option* threads_option = tools::AddDecimalOption(&app, "--threads", &threads, 1, 1024);
  CLI::Option* runs_option = tools::AddDecimalOption(&app, "--runs", &runs, 1, 100);
  CLI::Option* sizes_option = app.add_option("--sizes", sizes);
  CLI::Option* txn_ops_option =
      tools::AddDecimalOption(&app, "--txn-ops", &txn_ops, uint64_t{1}, uint64_t{100000});
  CLI::Option* idle_option = tools::AddDecimalOption(&app, "--idle-connections", &idle_connections,
                                                     uint64_t{0}, uint64_t{1000000});
  app.add_flag("--tls", args.tls);
  CLI::Option* budget_option = app.add_option("--memory-budget", memory_budget);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    PrintUsage(stdout);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::printf("%s\n", e.what());
    return 0;
  } catch (const CLI::ParseError& e) {
    return Usage(e.what());
  }
  if (std::string error = tools::UnexpectedArgumentError(app); !error.empty()) return Usage(error);
  CopyIfGiven(ops_option, ops, args.ops);
  CopyIfGiven(threads_option, threads, args.threads);
  CopyIfGiven(runs_option, runs, args.runs);
  CopyIfGiven(txn_ops_option, txn_ops, args.txn_ops);
  CopyIfGiven(idle_option, idle_connections, args.idle_connections);
  if (sizes_option->count() > 0 && !ParseSizes(sizes, args.sizes))
    return Usage("--sizes needs positive sizes up to 1T, e.g. 100M,1G");
  if (budget_option->count() > 0) {
    std::vector<uint64_t> budget;
    if (memory_budget == "0")
      args.memory_budget_bytes = 0;
    else if (ParseSizes(memory_budget, budget) && budget.size() == 1)
      args.memory_budget_bytes = budget[0];
    else
      return Usage("--memory-budget needs one size, e.g. 64M, or 0 for none");
    if (args.workload != "write" && args.workload != "replay" && args.workload != "list-replay")
      return Usage("--memory-budget applies to --workload write, replay and list-replay only");
  }
  if ((idle_option->count() > 0 || args.tls) && args.workload != "sync")
    return Usage("--idle-connections and --tls apply to --workload sync only");
  for (const Workload& w : kWorkloads)
    if (args.workload == w.name) return w.run(args);
  return Usage("unknown workload " + args.workload);
}

}  // namespace
}  // namespace journaldb::bench

int main(int argc, char** argv) { return journaldb::bench::Main(argc, argv); }
