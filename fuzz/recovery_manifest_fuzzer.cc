// Recovery manifest decoding over untrusted bytes: never crashes, every
// failure is corruption, and what decodes re-encodes to the same manifest.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "journaldb/recovery/manifest_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto m = journaldb::recovery::DecodeManifest(bytes, "fuzz/MANIFEST");
  if (!m.ok()) {
    if (!m.status().IsCorruption()) std::abort();
    return 0;
  }
  auto again = journaldb::recovery::DecodeManifest(journaldb::recovery::EncodeManifest(*m), "x");
  if (!again.ok() || !(*again == *m)) std::abort();
  return 0;
}
