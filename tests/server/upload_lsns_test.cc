// CheckUploadLsns: which upload lsns may follow what the server holds of a
// client, case by case, without a socket.
#include "journaldb/server/upload_lsns.h"

#include <gtest/gtest.h>

namespace journaldb::server {
namespace {

std::vector<wire::UploadEntry> Lsns(std::initializer_list<Lsn> lsns) {
  std::vector<wire::UploadEntry> entries;
  for (Lsn lsn : lsns) entries.push_back({lsn, "", {}});
  return entries;
}

TEST(UploadLsns, ContinuingFromTheHighestStoredIsAccepted) {
  EXPECT_TRUE(CheckUploadLsns(1, 4, Lsns({5, 6, 7})).ok());
}

TEST(UploadLsns, ReuploadsAtOrBelowTheHighestStoredAreAccepted) {
  EXPECT_TRUE(CheckUploadLsns(1, 4, Lsns({2, 3, 4})).ok());
  EXPECT_TRUE(CheckUploadLsns(1, 4, Lsns({3, 4, 5, 6})).ok());
}

TEST(UploadLsns, AClientWithNothingStoredMayStartAnywhere) {
  // Its lsns go on across client resets, which give it a new id.
  EXPECT_TRUE(CheckUploadLsns(1, 0, Lsns({41, 42})).ok());
  EXPECT_FALSE(CheckUploadLsns(1, 0, Lsns({41, 43})).ok());
}

TEST(UploadLsns, AGapAfterTheHighestStoredIsRefused) {
  Status s = CheckUploadLsns(7, 4, Lsns({6}));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("lsn 6 of client 7 leaves a gap: the next lsn must be 5"),
            std::string::npos)
      << s.ToString();
  EXPECT_TRUE(CheckUploadLsns(7, 4, Lsns({4, 5, 7})).IsInvalidArgument());
}

TEST(UploadLsns, TheLastLsnIsRefusedEvenWhenItContinues) {
  const Lsn max = ~Lsn{0};
  EXPECT_TRUE(CheckUploadLsns(1, max - 2, Lsns({max - 1})).ok());
  Status s = CheckUploadLsns(1, max - 1, Lsns({max}));
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("beyond the highest usable lsn"), std::string::npos) << s.ToString();
  EXPECT_TRUE(CheckUploadLsns(1, 0, Lsns({max})).IsInvalidArgument());
}

}  // namespace
}  // namespace journaldb::server
