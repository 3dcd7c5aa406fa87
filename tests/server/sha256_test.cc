// Sha256Of is SHA-256 of its parts one after the other, and a digest's
// bytes parse back only when they are a whole digest.
#include "journaldb/server/sha256.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace journaldb::server {
namespace {

Sha256Digest Of(std::initializer_list<std::string_view> parts) {
  Result<Sha256Digest> d = Sha256Of(parts, "test");
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.value_or(Sha256Digest{});
}

std::string Hex(const Sha256Digest& d) {
  std::string out;
  for (unsigned char byte : d) out += fmt::format("{:02x}", byte);
  return out;
}

// FIPS 180-2's examples.
TEST(Sha256, MatchesTheStandardsExamples) {
  EXPECT_EQ(Hex(Of({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Of({"abc"})), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, PartsHashAsTheirConcatenation) {
  EXPECT_EQ(Of({"a", "", "bc"}), Of({"abc"}));
  EXPECT_NE(Of({"a", "bc"}), Of({"ab"}));
}

TEST(Sha256, BytesRoundTripAndOnlyWholeDigestsParse) {
  const Sha256Digest d = Of({"abc"});
  std::string bytes = DigestBytes(d);
  ASSERT_EQ(bytes.size(), d.size());
  EXPECT_EQ(DigestFromBytes(bytes), d);
  EXPECT_EQ(DigestFromBytes(bytes.substr(1)), std::nullopt);
  EXPECT_EQ(DigestFromBytes(bytes + "x"), std::nullopt);
  EXPECT_EQ(DigestFromBytes(""), std::nullopt);
}

}  // namespace
}  // namespace journaldb::server
