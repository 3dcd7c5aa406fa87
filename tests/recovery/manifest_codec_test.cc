#include <gtest/gtest.h>

#include "journaldb/recovery/crc32c.h"
#include "journaldb/recovery/manifest_codec.h"

namespace journaldb::recovery {
namespace {

RecoveryManifest Sample() {
  RecoveryManifest m;
  m.recovery_id = "20261126T120000Z-0badf00d";
  m.reason = "epoch-mismatch";
  m.created_time_us = 1790000000000000;
  m.original_path = "/data/app.journaldb";
  m.old_client_id = 7;
  m.old_epoch = 3;
  m.download_cursor = 41;
  m.upload_cursor = 12;
  m.first_diverged_lsn = 13;
  m.last_diverged_lsn = 20;
  m.diverged_entries = 8;
  m.diverged_ops = 11;
  m.product_version = "journaldb 0.1.0";
  return m;
}

TEST(ManifestCodec, RoundTripsEveryField) {
  RecoveryManifest m = Sample();
  Result<RecoveryManifest> back = DecodeManifest(EncodeManifest(m), "M");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
}

TEST(ManifestCodec, EveryTruncationIsCorruptionNamingTheFile) {
  std::string bytes = EncodeManifest(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<RecoveryManifest> r = DecodeManifest(std::string_view(bytes).substr(0, n), "the/MANIFEST");
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " bytes decoded";
    EXPECT_TRUE(r.status().IsCorruption());
    EXPECT_NE(r.status().message().find("the/MANIFEST"), std::string::npos);
  }
}

TEST(ManifestCodec, EverySingleBitFlipInTheBodyIsDetected) {
  std::string bytes = EncodeManifest(Sample());
  for (size_t i = 8; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string t = bytes;
      t[i] = static_cast<char>(t[i] ^ (1 << bit));
      Result<RecoveryManifest> r = DecodeManifest(t, "M");
      EXPECT_FALSE(r.ok()) << "flip at byte " << i << " bit " << bit << " went unnoticed";
    }
  }
}

TEST(ManifestCodec, ConsistentHeaderWithTinyBodyIsCorruption) {
  // A header whose length and checksum match a 4-byte body: the body is too
  // short to hold a FlatBuffer and must be rejected before it is read.
  std::string body = "abcd";
  std::string bytes = "JDBMAN01";
  for (uint32_t v : {static_cast<uint32_t>(body.size()), Crc32c(body)})
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  Result<RecoveryManifest> r = DecodeManifest(bytes + body, "M");
  EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
}

TEST(ManifestCodec, TrailingBytesAreRejected) {
  std::string bytes = EncodeManifest(Sample()) + "x";
  EXPECT_TRUE(DecodeManifest(bytes, "M").status().IsCorruption());
}

TEST(ManifestCodec, InconsistentDivergedRangeIsRejected) {
  RecoveryManifest m = Sample();
  m.first_diverged_lsn = 30;  // after last
  EXPECT_TRUE(DecodeManifest(EncodeManifest(m), "M").status().IsCorruption());
  m = Sample();
  m.recovery_id = "../escape";
  EXPECT_TRUE(DecodeManifest(EncodeManifest(m), "M").status().IsCorruption());
}

}  // namespace
}  // namespace journaldb::recovery
