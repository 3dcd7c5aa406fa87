// The pending client-reset record (meta "client_reset") and the last reset's
// outcome (meta "client_reset_outcome") over untrusted bytes: never crashes,
// every failure is corruption, and what decodes re-encodes to the same record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "journaldb/engine/client_reset_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto outcome = journaldb::DecodeClientResetOutcome(bytes, "fuzz");
  if (!outcome.ok() && !outcome.status().IsCorruption()) std::abort();
  if (outcome.ok()) {
    const std::string encoded = journaldb::EncodeClientResetOutcome(*outcome);
    auto again = journaldb::DecodeClientResetOutcome(encoded, "x");
    if (!again.ok() || journaldb::EncodeClientResetOutcome(*again) != encoded) std::abort();
  }
  auto r = journaldb::DecodeClientResetRecord(bytes, "fuzz");
  if (!r.ok()) {
    if (!r.status().IsCorruption()) std::abort();
    return 0;
  }
  auto again = journaldb::DecodeClientResetRecord(journaldb::EncodeClientResetRecord(*r), "x");
  if (!again.ok() || !(*again == *r)) std::abort();
  return 0;
}
