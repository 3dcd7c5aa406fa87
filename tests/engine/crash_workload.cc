#include "crash_workload.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <random>

namespace journaldb::testing {

namespace {
// splitmix64: decorrelates nearby (seed, writer, seq) triples.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

}  // namespace

std::string ProgressKey(int writer) { return "w" + std::to_string(writer); }

uint64_t CrashKillsFromEnv() { return std::max<uint64_t>(EnvOr("JOURNALDB_CRASH_KILLS", 200), 4); }

uint64_t CrashSeedFromEnv() {
  static const uint64_t seed =
      EnvOr("JOURNALDB_CRASH_SEED",
            static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  return seed;
}

std::vector<Operation> CrashWorkloadTransaction(uint64_t seed, int writer, uint64_t seq) {
  std::mt19937_64 rng(Mix(Mix(seed) ^ Mix(static_cast<uint64_t>(writer) << 40) ^ seq));
  auto pick = [&](uint64_t n) { return rng() % n; };
  static const char* const kCollections[] = {"tasks", "notes"};
  std::vector<Operation> ops;
  ops.push_back(Operation::Upsert(kProgressCollection, ProgressKey(writer),
                                  {{kSeqField, Value::Int(static_cast<int64_t>(seq))}}));
  const uint64_t extra = 1 + pick(5);
  for (uint64_t i = 0; i < extra; ++i) {
    std::string c = kCollections[pick(2)];
    std::string k = "k" + std::to_string(pick(6));
    switch (pick(10)) {
      case 0:
      case 1:
      case 2:
      case 3:
        ops.push_back(Operation::Increment(c, k, "count", static_cast<int64_t>(pick(11)) - 5));
        break;
      case 4:
      case 5:
        ops.push_back(Operation::Upsert(
            c, k,
            {{"title", Value::String("w" + std::to_string(writer) + "s" + std::to_string(seq))},
             {"score", Value::Double(static_cast<double>(pick(1000)) / 8)}}));
        break;
      case 6:
        ops.push_back(
            Operation::Upsert(c, k, {{"blob", Value::BytesValue(std::string(pick(64), '\0'))}}));
        break;
      case 7:
      case 8:
        ops.push_back(Operation::EraseField(c, k, pick(2) ? "count" : "title"));
        break;
      case 9:
        ops.push_back(Operation::EraseObject(c, k));
        break;
    }
  }
  return ops;
}

std::optional<std::pair<int, uint64_t>> WorkloadIdentity(const std::vector<Operation>& ops) {
  if (ops.empty() || ops[0].kind != OpKind::kUpsert || ops[0].collection != kProgressCollection)
    return std::nullopt;
  const Value* seq = nullptr;
  if (auto it = ops[0].fields.find(kSeqField); it != ops[0].fields.end()) seq = &it->second;
  if (seq == nullptr || seq->type() != ValueType::kInt || ops[0].key.size() < 2)
    return std::nullopt;
  int writer = 0;
  const std::string& key = ops[0].key;
  auto [end, ec] = std::from_chars(key.data() + 1, key.data() + key.size(), writer);
  if (key[0] != 'w' || ec != std::errc() || end != key.data() + key.size()) return std::nullopt;
  return std::pair{writer, static_cast<uint64_t>(seq->as_int())};
}

}  // namespace journaldb::testing
