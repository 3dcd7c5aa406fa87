// Stored object decoding over untrusted bytes: never crashes; what decodes
// round-trips.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "journaldb/journal/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  journaldb::Result<journaldb::FieldMap> fields = journaldb::codec::DecodeObject(bytes, "fuzz");
  if (!fields.ok()) {
    if (!fields.status().IsCorruption()) std::abort();
    return 0;
  }
  std::string again = journaldb::codec::EncodeObject(*fields);
  journaldb::Result<journaldb::FieldMap> round = journaldb::codec::DecodeObject(again, "fuzz");
  if (!round.ok() || !(*round == *fields)) std::abort();
  return 0;
}
