// The stored outcome of the last client reset (meta client_reset_outcome):
// it survives a reopen, and stored bytes that do not verify are corruption,
// never a crash or a made-up outcome.
#include <gtest/gtest.h>

#include "client_reset_outcome_generated.h"
#include "journaldb/client_reset.h"
#include "journaldb/database.h"
#include "journaldb/engine/client_reset_record.h"
#include "support/temp_dir.h"

namespace journaldb {
namespace {

ClientResetOutcome SampleOutcome() {
  ClientResetOutcome o;
  o.recovery_id = "20261204T120000Z-1a2b3c4d";
  o.recovery_path = "app.db.recovery/20261204T120000Z-1a2b3c4d";
  o.reason = "unknown-client";
  o.mode = "recover-or-discard";
  o.transactions_replayed = 4;
  o.transactions_skipped = 1;
  o.ops_not_applicable = {{3, 1, "cannot increment tasks/t2.views: the field holds a string"}};
  o.transactions_not_recovered = 2;
  o.first_unrecovered_lsn = 7;
  o.last_unrecovered_lsn = 8;
  o.not_recovered_reason = "the replay stopped";
  o.discarded = true;
  return o;
}

void ExpectSame(const ClientResetOutcome& a, const ClientResetOutcome& b) {
  EXPECT_EQ(a.finished_time_us, b.finished_time_us);
  EXPECT_EQ(a.recovery_id, b.recovery_id);
  EXPECT_EQ(a.recovery_path, b.recovery_path);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.transactions_replayed, b.transactions_replayed);
  EXPECT_EQ(a.transactions_skipped, b.transactions_skipped);
  EXPECT_EQ(a.ops_not_applicable, b.ops_not_applicable);
  EXPECT_EQ(a.transactions_not_recovered, b.transactions_not_recovered);
  EXPECT_EQ(a.first_unrecovered_lsn, b.first_unrecovered_lsn);
  EXPECT_EQ(a.last_unrecovered_lsn, b.last_unrecovered_lsn);
  EXPECT_EQ(a.not_recovered_reason, b.not_recovered_reason);
  EXPECT_EQ(a.discarded, b.discarded);
}

TEST(ClientResetOutcomeRecord, SurvivesAReopenStampedWithItsTime) {
  testing::TempDir dir;
  const std::string path = dir.Sub("db");
  {
    auto db = Database::Open(path, {});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_FALSE(LastClientResetOutcome(**db).value().has_value());
    ASSERT_TRUE(RecordClientResetOutcome(**db, SampleOutcome()).ok());
  }
  Options read_only;
  read_only.read_only = true;
  read_only.create_if_missing = false;
  auto db = Database::Open(path, read_only);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  Result<std::optional<ClientResetOutcome>> stored = LastClientResetOutcome(**db);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_TRUE(stored->has_value());
  EXPECT_GT((**stored).finished_time_us, 0);
  ClientResetOutcome expected = SampleOutcome();
  expected.finished_time_us = (**stored).finished_time_us;
  ExpectSame(**stored, expected);
}

TEST(ClientResetOutcomeRecord, EveryTruncationAndFlippedByteIsCorruptionOrVerifies) {
  ClientResetOutcome o = SampleOutcome();
  o.finished_time_us = 1'796'000'000'000'000;
  const std::string bytes = EncodeClientResetOutcome(o);
  Result<ClientResetOutcome> back = DecodeClientResetOutcome(bytes, "db");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSame(*back, o);
  // A prefix is corruption, unless only trailing padding was cut: then it
  // reads back as the whole outcome, never as a part of it.
  size_t refused = 0;
  for (size_t n = 0; n < bytes.size(); ++n) {
    Result<ClientResetOutcome> cut = DecodeClientResetOutcome(bytes.substr(0, n), "db");
    if (cut.ok()) {
      ExpectSame(*cut, o);
      continue;
    }
    ++refused;
    EXPECT_TRUE(cut.status().IsCorruption());
    EXPECT_NE(cut.status().message().find("client_reset_outcome"), std::string::npos);
  }
  EXPECT_GE(refused, bytes.size() - 8);
  // A flipped byte either still verifies (a changed number) or is corruption.
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0xff);
    Result<ClientResetOutcome> r = DecodeClientResetOutcome(flipped, "db");
    if (!r.ok()) {
      EXPECT_TRUE(r.status().IsCorruption()) << r.status().ToString();
    }
  }
}

// A forged record whose ops all point at one op with a long reason would
// decode to far more than its size: corruption, before anything is copied.
TEST(ClientResetOutcomeRecord, OpsSharingOneRecordAreCorruptionNotAnAmplifiedCopy) {
  flatbuffers::FlatBufferBuilder b;
  auto reason = b.CreateString(std::string(64 << 10, 'r'));
  auto op = fb::CreateNotApplicableOpRecord(b, 3, 1, reason);
  std::vector<flatbuffers::Offset<fb::NotApplicableOpRecord>> ops(10000, op);  // 640 MiB
  auto ops_vector = b.CreateVector(ops);
  auto id = b.CreateString("id");
  fb::ClientResetOutcomeRecordBuilder r(b);
  r.add_recovery_id(id);
  r.add_ops_not_applicable(ops_vector);
  b.Finish(r.Finish(), fb::ClientResetOutcomeRecordIdentifier());
  const std::string forged(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  ASSERT_LT(forged.size(), 128u << 10);
  Result<ClientResetOutcome> decoded = DecodeClientResetOutcome(forged, "db");
  ASSERT_FALSE(decoded.ok());
  EXPECT_TRUE(decoded.status().IsCorruption());
  EXPECT_NE(decoded.status().message().find("more than once"), std::string::npos)
      << decoded.status().ToString();
  // The same ops each with a reason of its own (as the encoder writes them)
  // decode.
  ClientResetOutcome many = SampleOutcome();
  many.ops_not_applicable.clear();
  for (uint32_t i = 0; i < 1000; ++i)
    many.ops_not_applicable.push_back({i + 1, i, i % 2 == 0 ? std::string() : "reason"});
  Result<ClientResetOutcome> back = DecodeClientResetOutcome(EncodeClientResetOutcome(many), "db");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->ops_not_applicable.size(), 1000u);
}

}  // namespace
}  // namespace journaldb
