// Sync protocol frame bodies over untrusted bytes, as both peers decode them
// (server-bound: hello, upload, download and bootstrap requests; client-bound:
// hello-ok, error, upload-ack, changesets, bootstrap pages), and the server's
// stored changeset records. The first byte picks the decoder. Decoding never
// crashes, fails only with corruption, and what decodes re-encodes to bytes
// that decode and re-encode to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "journaldb/protocol/wire_codec.h"

namespace {
void Check(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  namespace wire = journaldb::wire;
  if (data[0] & 1) {
    auto c = wire::DecodeChangesetRecord(bytes);
    if (!c.ok()) {
      Check(c.status().IsCorruption());
      return 0;
    }
    std::string once = wire::EncodeChangesetRecord(*c);
    auto again = wire::DecodeChangesetRecord(once);
    Check(again.ok() && wire::EncodeChangesetRecord(*again) == once);
    return 0;
  }
  auto m = wire::DecodeMessage(bytes);
  if (!m.ok()) {
    Check(m.status().IsCorruption());
    return 0;
  }
  std::string once = wire::EncodeMessage(*m);
  auto again = wire::DecodeMessage(once);
  Check(again.ok() && wire::EncodeMessage(*again) == once);
  return 0;
}
