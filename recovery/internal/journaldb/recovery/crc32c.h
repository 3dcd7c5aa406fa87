// CRC-32C (Castagnoli), the checksum of recovery manifests.
#ifndef JOURNALDB_RECOVERY_CRC32C_H_
#define JOURNALDB_RECOVERY_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace journaldb::recovery {

uint32_t Crc32c(std::string_view data);

}  // namespace journaldb::recovery

#endif  // JOURNALDB_RECOVERY_CRC32C_H_
