// The change set the replay-sqlite workload builds both ways: object i
// (bench.h's key and collection) holds a base value, the client's diverged
// transactions set a local value, and the server changed every tenth object
// to a server value since the base. All three values are 200 bytes.
#ifndef JOURNALDB_TOOLS_BENCH_REPLAY_DATA_H_
#define JOURNALDB_TOOLS_BENCH_REPLAY_DATA_H_

#include <cstdint>
#include <string>

#include "bench.h"

namespace journaldb::bench {

inline constexpr uint64_t kServerChangedEvery = 10;

inline bool ServerChanged(uint64_t i) { return i % kServerChangedEvery == 0; }
inline uint64_t ServerChangedCount(uint64_t objects) {
  return (objects + kServerChangedEvery - 1) / kServerChangedEvery;
}

// Payload() with its first byte replaced by `tag`.
inline std::string TaggedPayload(char tag) {
  std::string p = Payload();
  p[0] = tag;
  return p;
}
inline const std::string& BaseValue() { return Payload(); }
inline const std::string& LocalValue() {
  static const std::string v = TaggedPayload('L');
  return v;
}
inline const std::string& ServerValue() {
  static const std::string v = TaggedPayload('S');
  return v;
}
// What the server holds for object i.
inline const std::string& ServerStateValue(uint64_t i) {
  return ServerChanged(i) ? ServerValue() : BaseValue();
}

}  // namespace journaldb::bench

#endif  // JOURNALDB_TOOLS_BENCH_REPLAY_DATA_H_
