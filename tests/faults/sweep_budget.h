// How densely a fault sweep visits the K operations of its workload: every
// one, or every ceil(K / runs)-th when K exceeds `runs`. The default keeps
// each sweep within seconds; JOURNALDB_FAULT_RUNS lowers it (the sanitizer
// stage of scripts/test.sh runs sparser sweeps over the same paths).
#ifndef JOURNALDB_TESTS_FAULTS_SWEEP_BUDGET_H_
#define JOURNALDB_TESTS_FAULTS_SWEEP_BUDGET_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace journaldb::testing {

inline uint64_t SweepStride(uint64_t k, uint64_t default_runs) {
  const char* v = std::getenv("JOURNALDB_FAULT_RUNS");
  uint64_t runs = v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : default_runs;
  runs = std::clamp<uint64_t>(runs, 1, default_runs);
  return std::max<uint64_t>((k + runs - 1) / runs, 1);
}

}  // namespace journaldb::testing

#endif  // JOURNALDB_TESTS_FAULTS_SWEEP_BUDGET_H_
