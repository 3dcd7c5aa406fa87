// The pending client-reset record (meta "client_reset") over untrusted
// bytes: never crashes, every failure is corruption, and what decodes
// re-encodes to the same record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "journaldb/engine/client_reset_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto r = journaldb::DecodeClientResetRecord(bytes, "fuzz");
  if (!r.ok()) {
    if (!r.status().IsCorruption()) std::abort();
    return 0;
  }
  auto again = journaldb::DecodeClientResetRecord(journaldb::EncodeClientResetRecord(*r), "x");
  if (!again.ok() || !(*again == *r)) std::abort();
  return 0;
}
