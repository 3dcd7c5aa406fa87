#include "bench.h"

namespace journaldb::bench {

Options DatabaseOptions(const BenchArgs& args) {
  Options options;
  if (args.memory_budget_bytes) options.memory_budget_bytes = *args.memory_budget_bytes;
  return options;
}

}  // namespace journaldb::bench
