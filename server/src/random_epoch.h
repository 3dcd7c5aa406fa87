// A fresh epoch: random, never 0 (0 in a hello means "no epoch yet").
#ifndef JOURNALDB_SERVER_RANDOM_EPOCH_H_
#define JOURNALDB_SERVER_RANDOM_EPOCH_H_

#include <cstdint>
#include <random>

namespace journaldb::server {

inline uint64_t RandomEpoch() {
  std::random_device rd;
  uint64_t e = 0;
  while (e == 0) e = (uint64_t{rd()} << 32) ^ rd();
  return e;
}

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_RANDOM_EPOCH_H_
