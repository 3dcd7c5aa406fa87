// UploadFootprint (server/src/upload_footprint.h): what a decoded upload
// holds, which the server charges to its budget for frames in flight. It
// must not understate the heap DecodeMessage allocates (else the budget does
// not bound memory) nor overstate it much (else honest uploads are refused).
#include "upload_footprint.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <string>
#include <vector>

#include "journaldb/journal/codec.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JOURNALDB_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define JOURNALDB_TEST_ASAN 1
#endif
#ifdef JOURNALDB_TEST_ASAN
#include <sanitizer/allocator_interface.h>
#endif

namespace journaldb::server {
namespace {

// Bytes of heap in use now: ASan's count under it, glibc's otherwise.
size_t HeapInUse() {
#ifdef JOURNALDB_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;  // blocks in the arenas, and the mmapped ones
#endif
}

wire::UploadEntry Entry(Lsn lsn, std::vector<Operation> ops, std::vector<BeforeImage> before) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops = std::move(ops);
  e.before = std::move(before);
  return {lsn, codec::EncodeEntry(e), {}};
}

// Decodes `upload`'s frame; the footprint against the heap the decode took.
void ExpectFootprintCovers(const wire::Upload& upload, const char* what) {
  const std::string body = wire::EncodeMessage(upload);
  const size_t before = HeapInUse();
  Result<wire::Message> m = wire::DecodeMessage(body);
  const size_t after = HeapInUse();
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  const wire::Upload& decoded = std::get<wire::Upload>(*m);
  const size_t heap = after - before, footprint = UploadFootprint(decoded);
  EXPECT_GE(footprint, heap) << what << ": frame " << body.size();
  EXPECT_LE(footprint, 2 * heap) << what << ": frame " << body.size();
  // What the frame's size alone would have charged: far less.
  if (decoded.entries.size() > 100) {
    EXPECT_GT(heap, 2 * body.size()) << what;
  }
}

TEST(UploadFootprint, CoversWhatDecodingManySmallEntriesAllocates) {
  wire::Upload upload;
  upload.client_id = 7;
  for (Lsn lsn = 1; lsn <= 2000; ++lsn)
    upload.entries.push_back(
        Entry(lsn,
              {Operation::Upsert("tasks", "task-" + std::to_string(lsn),
                                 {{"title", Value::String("buy milk and some bread")},
                                  {"done", Value::Bool(false)},
                                  {"n", Value::Int(static_cast<int64_t>(lsn))}}),
               Operation::Increment("counters", "c", "total", 1)},
              {}));
  ExpectFootprintCovers(upload, "small upserts");
}

TEST(UploadFootprint, CoversLongStringsAndWholeListBeforeImages) {
  List list;
  for (uint64_t i = 1; i <= 300; ++i)
    list.elements.push_back({ElementId{i, 9}, Value::String("element value " + std::to_string(i)),
                             false, std::nullopt});
  wire::Upload upload;
  upload.client_id = 7;
  for (Lsn lsn = 1; lsn <= 20; ++lsn)
    upload.entries.push_back(
        Entry(lsn,
              {Operation::Upsert("notes", "n", {{"text", Value::String(std::string(5000, 'x'))}}),
               Operation::ListInsert("notes", "n", "items", std::nullopt, ElementId{1000 + lsn, 9},
                                     Value::Int(1))},
              {BeforeImage{"notes", "n", "text", true, Value::String(std::string(4000, 'y'))},
               BeforeImage{"notes", "n", "items", true, Value::ListValue(list)}}));
  ExpectFootprintCovers(upload, "long strings and lists");
}

}  // namespace
}  // namespace journaldb::server
