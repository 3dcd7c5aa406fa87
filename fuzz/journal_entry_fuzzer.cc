// Journal entry decoding over untrusted bytes: decoding never crashes, and
// whatever decodes re-encodes to an entry that decodes to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "journaldb/journal/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  journaldb::Result<journaldb::JournalEntry> entry = journaldb::codec::DecodeEntryAnyLsn(bytes);
  if (!entry.ok()) {
    if (!entry.status().IsCorruption()) std::abort();  // bad bytes are corruption, nothing else
    return 0;
  }
  std::string again = journaldb::codec::EncodeEntry(*entry);
  journaldb::Result<journaldb::JournalEntry> round = journaldb::codec::DecodeEntry(again, entry->lsn);
  if (!round.ok() || !(*round == *entry)) std::abort();
  return 0;
}
