// CRC-32C against published known answers, so a wrong polynomial, bit order,
// initial value or final inversion fails here rather than only making
// manifests unreadable by another implementation.
#include "journaldb/recovery/crc32c.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace journaldb::recovery {
namespace {

std::string Bytes(std::initializer_list<uint8_t> bytes) {
  std::string out;
  for (uint8_t b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

std::string Ascending(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>(i));
  return out;
}

std::string Descending(int n) {
  std::string out;
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>(i));
  return out;
}

TEST(Crc32c, CatalogueCheckValue) {
  // The "check" value of CRC-32/ISCSI in the catalogue of parametrised CRCs.
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
}

TEST(Crc32c, EmptyInputIsZero) {
  // Initial value and final XOR are both all ones, so they cancel.
  EXPECT_EQ(Crc32c(""), 0u);
}

// RFC 3720 (iSCSI) appendix B.4 lists the CRC as transmitted, least
// significant byte first: "aa 36 91 8a" is 0x8A9136AA.
TEST(Crc32c, Rfc3720ThirtyTwoZeroBytes) {
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
}

TEST(Crc32c, Rfc3720ThirtyTwoOnesBytes) {
  EXPECT_EQ(Crc32c(std::string(32, '\xFF')), 0x62A8AB43u);
}

TEST(Crc32c, Rfc3720ThirtyTwoAscendingBytes) {
  EXPECT_EQ(Crc32c(Ascending(32)), 0x46DD794Eu);
}

TEST(Crc32c, Rfc3720ThirtyTwoDescendingBytes) {
  EXPECT_EQ(Crc32c(Descending(32)), 0x113FDB5Cu);
}

TEST(Crc32c, Rfc3720ReadCommandPdu) {
  std::string pdu = Bytes({0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                           0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
                           0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
                           0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  ASSERT_EQ(pdu.size(), 48u);
  EXPECT_EQ(Crc32c(pdu), 0xD9963A56u);
}

TEST(Crc32c, SingleCharacterAndPangram) {
  // Widely published values (e.g. in the test suites of other CRC-32C
  // libraries); also cross-checked with a bit-at-a-time implementation.
  EXPECT_EQ(Crc32c("a"), 0xC1D04330u);
  EXPECT_EQ(Crc32c("The quick brown fox jumps over the lazy dog"), 0x22620404u);
}

TEST(Crc32c, ExtendingFromZeroIsTheOneShotValue) {
  EXPECT_EQ(Crc32cExtend(0, "123456789"), 0xE3069283u);
}

TEST(Crc32c, EverySplitOfAnInputGivesTheOneShotValue) {
  // The known answer, not Crc32c() itself, is the reference for every split.
  const std::string data = "123456789";
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    uint32_t first = Crc32c(std::string_view(data).substr(0, cut));
    EXPECT_EQ(Crc32cExtend(first, std::string_view(data).substr(cut)), 0xE3069283u)
        << "split at " << cut;
  }
}

TEST(Crc32c, ByteAtATimeGivesTheOneShotValue) {
  const std::string pdu = Ascending(32);
  uint32_t crc = 0;
  for (char c : pdu) crc = Crc32cExtend(crc, std::string_view(&c, 1));
  EXPECT_EQ(crc, 0x46DD794Eu);
}

TEST(Crc32c, ExtendingByNothingChangesNothing) {
  EXPECT_EQ(Crc32cExtend(0x8A9136AAu, ""), 0x8A9136AAu);
}

}  // namespace
}  // namespace journaldb::recovery
