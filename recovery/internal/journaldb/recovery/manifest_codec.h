// The MANIFEST file format: 8-byte magic "JDBMAN01", u32 little-endian body
// length, u32 little-endian CRC-32C of the body, then the body: a verified
// RecoveryManifest FlatBuffer (schema/manifest.fbs).
#ifndef JOURNALDB_RECOVERY_MANIFEST_CODEC_H_
#define JOURNALDB_RECOVERY_MANIFEST_CODEC_H_

#include <string>
#include <string_view>

#include "journaldb/recovery_snapshot.h"

namespace journaldb::recovery {

inline constexpr size_t kMaxManifestBytes = 1 << 20;

std::string EncodeManifest(const RecoveryManifest& manifest);

// `where` names the file in errors.
Result<RecoveryManifest> DecodeManifest(std::string_view bytes, std::string_view where);

}  // namespace journaldb::recovery

#endif  // JOURNALDB_RECOVERY_MANIFEST_CODEC_H_
