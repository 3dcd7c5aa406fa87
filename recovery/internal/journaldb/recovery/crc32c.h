// CRC-32C (Castagnoli), the checksum of recovery manifests.
#ifndef JOURNALDB_RECOVERY_CRC32C_H_
#define JOURNALDB_RECOVERY_CRC32C_H_

#include <cstdint>
#include <string_view>

namespace journaldb::recovery {

// The CRC-32C of `data`: 0 for no bytes, 0xE3069283 for "123456789".
uint32_t Crc32c(std::string_view data);

// The CRC-32C of A followed by `data`, given `crc` = Crc32c(A): a checksum
// computed piece by piece equals the one computed over the whole.
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);

}  // namespace journaldb::recovery

#endif  // JOURNALDB_RECOVERY_CRC32C_H_
