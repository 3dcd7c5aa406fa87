// The wire codec: every message round-trips, and hostile bodies (truncated,
// damaged, oversized, unknown union types, out-of-range enums, bad nested
// entries) are rejected with corruption instead of being read.
#include "journaldb/protocol/wire_codec.h"

#include <gtest/gtest.h>

#include "journaldb/journal/codec.h"
#include "journaldb/journal/layout.h"
#include "protocol_generated.h"

namespace journaldb::wire {
namespace {

std::string SampleEntry(Lsn lsn) {
  JournalEntry e;
  e.lsn = lsn;
  e.ops.push_back(Operation::Upsert("tasks", "t1", {{"title", Value::String("milk")}}));
  e.ops.push_back(Operation::Increment("tasks", "t1", "views", 2));
  return codec::EncodeEntry(e);
}

std::vector<Message> Samples() {
  Upload upload{7, {{1, SampleEntry(1), {}}, {2, SampleEntry(2), {}}}};
  Changesets changesets{{{11, 7, 1, 123, SampleEntry(1), {}}, {12, 8, 5, 124, SampleEntry(5), {}}},
                        12,
                        std::string(kChainHashBytes, 'c')};
  BootstrapPage page{
      12,
      {{layout::StateKey("tasks", "a"), codec::EncodeObject({{"n", Value::Int(1)}}), {}},
       {layout::StateKey("tasks", "b"), codec::EncodeObject({}), {}}},
      false,
      3,
      std::string(kChainHashBytes, 'b')};
  return {Hello{kProtocolVersion, "secret", 7, 99, 12, 2, std::string(kClientSecretBytes, 's'),
                std::string(kChainHashBytes, 'h'), std::string(kClientSecretBytes, 'r')},
          HelloOk{7, 99, 12, 3, 2, std::string(kClientSecretBytes, 'i')},
          Error{ErrorCode::kClientReset, "trimmed", ResetReason::kHistoryTrimmed, 4},
          upload,
          UploadAck{2, {{1, 11}, {2, 12}}},
          DownloadRequest{11, 250},
          changesets,
          BootstrapRequest{12, layout::StateKey("tasks", "a")},
          page};
}

TEST(WireCodec, EveryMessageRoundTrips) {
  for (const Message& m : Samples()) {
    std::string body = EncodeMessage(m);
    Result<Message> back = DecodeMessage(body);
    ASSERT_TRUE(back.ok()) << MessageName(m) << ": " << back.status().ToString();
    ASSERT_EQ(back->index(), m.index());
    // Re-encoding the decoded message gives the same bytes.
    EXPECT_EQ(EncodeMessage(*back), body) << MessageName(m);
  }
}

// FNV-1a: a digest of the encoded bytes to pin them in this file.
uint64_t Digest(std::string_view bytes) {
  uint64_t h = 14695981039346656037u;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211u;
  return h;
}

TEST(WireCodec, EncodingKeepsTheBytesOfRecord) {
  // The bytes these messages had when recorded: a change to how messages
  // are built must not change what goes on the wire. Hello and HelloOk were
  // recorded again for protocol version 2 (the appended client_secret),
  // Hello, Changesets and BootstrapPage for the appended chain hashes, Hello
  // for the appended registration secret.
  constexpr uint64_t kRecorded[] = {
      4073830080690851308u,  2287772570795332108u,  5413993404399248867u,
      15174352368310663429u, 2183363564366390140u,  3658562947553084452u,
      16576022490950652288u, 14095100358869116107u, 5125044862621189424u};
  std::vector<Message> samples = Samples();
  ASSERT_EQ(samples.size(), std::size(kRecorded));
  for (size_t i = 0; i < samples.size(); ++i) {
    std::string body = EncodeMessage(samples[i]);
    EXPECT_EQ(Digest(body), kRecorded[i]) << MessageName(samples[i]);
  }
  EXPECT_EQ(Digest(EncodeChangesetRecord(Changeset{9, 2, 4, 77, SampleEntry(4), {}})),
            5484021159506976583u);
}

TEST(WireCodec, EmptyStringsAndVectorsAreWrittenNotOmitted) {
  // Peers built before may tell an absent field from an empty one; the
  // encoder has always written empty ones (a generated object API packer
  // would leave them out).
  std::string hello = EncodeMessage(Hello{kProtocolVersion, "", 0, 0, 0, 0, "", "", ""});
  std::string ack = EncodeMessage(UploadAck{0, {}});
  std::string request = EncodeMessage(BootstrapRequest{0, ""});
  EXPECT_NE(fb::GetFrame(hello.data())->message_as_Hello()->token(), nullptr);
  EXPECT_NE(fb::GetFrame(hello.data())->message_as_Hello()->client_secret(), nullptr);
  EXPECT_NE(fb::GetFrame(hello.data())->message_as_Hello()->registration_secret(), nullptr);
  EXPECT_NE(fb::GetFrame(ack.data())->message_as_UploadAck()->acks(), nullptr);
  EXPECT_NE(fb::GetFrame(request.data())->message_as_BootstrapRequest()->after_key(), nullptr);
}

TEST(WireCodec, MisalignedBodiesDecode) {
  // Bodies read from RocksDB or sliced from a larger buffer need not be
  // aligned; UBSan builds fail here if the decoder reads them in place.
  for (const Message& m : Samples()) {
    std::string body = EncodeMessage(m);
    std::string shifted = "x" + body;
    Result<Message> r = DecodeMessage(std::string_view(shifted).substr(1));
    ASSERT_TRUE(r.ok()) << MessageName(m) << ": " << r.status().ToString();
    EXPECT_EQ(EncodeMessage(*r), body);
  }
  std::string rec = "x" + EncodeChangesetRecord(Changeset{9, 2, 4, 77, SampleEntry(4), {}});
  EXPECT_TRUE(DecodeChangesetRecord(std::string_view(rec).substr(1)).ok());
}

TEST(WireCodec, DecodedUploadCarriesVerifiedEntries) {
  Result<Message> m = DecodeMessage(EncodeMessage(Samples()[3]));
  ASSERT_TRUE(m.ok());
  const Upload& u = std::get<Upload>(*m);
  ASSERT_EQ(u.entries.size(), 2u);
  EXPECT_EQ(u.entries[1].entry.lsn, 2u);
  EXPECT_EQ(u.entries[1].entry.ops[1], Operation::Increment("tasks", "t1", "views", 2));
}

TEST(WireCodec, EveryTruncationIsRejectedOrLosesOnlyPadding) {
  for (const Message& m : Samples()) {
    std::string body = EncodeMessage(m);
    for (size_t n = 0; n < body.size(); ++n) {
      Result<Message> r = DecodeMessage(std::string_view(body).substr(0, n));
      // Cutting only trailing padding loses nothing; anything else is corruption.
      EXPECT_TRUE(r.status().IsCorruption() || EncodeMessage(*r) == body)
          << MessageName(m) << " cut at " << n;
    }
  }
}

TEST(WireCodec, SingleByteDamageDecodesToAValidMessageOrIsCorruption) {
  // A flipped byte may still form a valid frame (a changed number or string
  // byte), and then the message it decodes to must itself be valid: encoding
  // it gives a frame that decodes to the same kind of message and re-encodes
  // to the same bytes. Otherwise the frame is refused as corruption that says
  // what was wrong. ASan/UBSan builds also check no read goes out of bounds.
  size_t refused = 0, decoded = 0;
  for (const Message& m : Samples()) {
    std::string body = EncodeMessage(m);
    for (size_t i = 0; i < body.size(); ++i) {
      std::string damaged = body;
      damaged[i] = static_cast<char>(damaged[i] ^ 0xA5);
      Result<Message> r = DecodeMessage(damaged);
      if (!r.ok()) {
        ++refused;
        const Status& s = r.status();
        EXPECT_TRUE(s.IsCorruption()) << MessageName(m) << " byte " << i << ": " << s.ToString();
        EXPECT_GT(s.message().size(), std::string_view("sync frame: ").size())
            << MessageName(m) << " byte " << i << ": refused without saying why";
        EXPECT_EQ(s.message().rfind("sync frame: ", 0), 0u) << s.ToString();
        continue;
      }
      ++decoded;
      std::string again = EncodeMessage(*r);
      Result<Message> back = DecodeMessage(again);
      ASSERT_TRUE(back.ok()) << MessageName(m) << " byte " << i << " decoded to a "
                             << MessageName(*r)
                             << " whose encoding is refused: " << back.status().ToString();
      EXPECT_EQ(back->index(), r->index()) << MessageName(m) << " byte " << i;
      EXPECT_EQ(EncodeMessage(*back), again) << MessageName(m) << " byte " << i;
    }
  }
  // Both outcomes occur, so neither branch above is dead.
  EXPECT_GT(refused, 0u);
  EXPECT_GT(decoded, 0u);
}

TEST(WireCodec, DamagedFrameIdentifierIsAlwaysRefused) {
  // Bytes 4..7 hold the file identifier "JDBW"; no change to them can pass.
  for (const Message& m : Samples()) {
    std::string body = EncodeMessage(m);
    ASSERT_EQ(body.substr(4, 4), "JDBW");
    for (size_t i = 4; i < 8; ++i) {
      std::string damaged = body;
      damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
      Result<Message> r = DecodeMessage(damaged);
      EXPECT_TRUE(r.status().IsCorruption()) << MessageName(m) << " byte " << i;
      EXPECT_NE(r.status().message().find("bad identifier"), std::string::npos)
          << r.status().ToString();
    }
  }
}

TEST(WireCodec, OversizedBodyIsRejectedBeforeVerification) {
  std::string big(kMaxFrameBytes + 1, '\0');
  Result<Message> r = DecodeMessage(big);
  ASSERT_TRUE(r.status().IsCorruption());
  EXPECT_NE(r.status().message().find("limit"), std::string::npos);
}

// The server sizes replies and the engine sizes uploads by EncodedSize();
// were a bound too small, a reply it thinks fits could exceed the frame.
TEST(WireCodec, EncodedSizeBoundsTheEncodedMessage) {
  constexpr uint64_t kBig = ~uint64_t{0};  // no field left out as a default
  const std::string max_key =
      layout::StateKey(std::string(kMaxNameBytes, 'c'), std::string(kMaxKeyBytes, 'k'));
  for (size_t count : {1, 2, 3, 7, 64}) {
    for (size_t base : {0, 1, 5, 13, 1000}) {
      Upload upload{kBig, {}};
      Changesets changesets{{}, kBig, std::string(kChainHashBytes, 'c')};
      BootstrapPage page{kBig, {}, true, kBig, std::string(kChainHashBytes, 'b')};
      size_t upload_size = kMessageOverheadBytes, changesets_size = kMessageOverheadBytes,
             page_size = kMessageOverheadBytes;
      for (size_t i = 0; i < count; ++i) {
        std::string bytes(base + i, 'x');  // every length modulo the alignments
        upload.entries.push_back({kBig, bytes, {}});
        upload_size += EncodedSize(upload.entries.back());
        changesets.changesets.push_back({kBig, kBig, kBig, -1, bytes, {}});
        changesets_size += EncodedSize(changesets.changesets.back());
        page.objects.push_back({i % 2 ? max_key : std::string(i, 'k'), bytes, {}});
        page_size += EncodedSize(page.objects.back());
      }
      EXPECT_LE(EncodeMessage(upload).size(), upload_size) << count << " x " << base;
      EXPECT_LE(EncodeMessage(changesets).size(), changesets_size) << count << " x " << base;
      EXPECT_LE(EncodeMessage(page).size(), page_size) << count << " x " << base;
    }
  }
}

// The commit limits leave exactly what the frame needs: an entry or object at
// its limit goes alone into a message that still decodes.
TEST(WireCodec, EntryAndObjectAtTheirLimitsFitOneFrame) {
  std::string entry(kMaxEntryBytes, 'e');
  EXPECT_LE(EncodeMessage(Upload{1, {{1, entry, {}}}}).size(), kMaxFrameBytes);
  EXPECT_LE(
      EncodeMessage(Changesets{{{1, 1, 1, 1, entry, {}}}, 1, std::string(kChainHashBytes, 'c')})
          .size(),
      kMaxFrameBytes);
  std::string key =
      layout::StateKey(std::string(kMaxNameBytes, 'c'), std::string(kMaxKeyBytes, 'k'));
  EXPECT_LE(EncodeMessage(BootstrapPage{1,
                                        {{key, std::string(kMaxObjectBytes, 'o'), {}}},
                                        true,
                                        1,
                                        std::string(kChainHashBytes, 'b')})
                .size(),
            kMaxFrameBytes);
}

TEST(WireCodec, UnknownUnionTypeIsRejected) {
  flatbuffers::FlatBufferBuilder b;
  auto hello = fb::CreateHello(b, kProtocolVersion);
  fb::FinishFrameBuffer(b, fb::CreateFrame(b, static_cast<fb::Message>(77), hello.Union()));
  Result<Message> r = DecodeMessage(
      std::string_view(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()));
  ASSERT_TRUE(r.status().IsCorruption());
  EXPECT_NE(r.status().message().find("unknown message type 77"), std::string::npos);
}

// An upload whose entries are all one table: valid to the Verifier, but its
// decode would copy that table's 64 KiB once per offset (and a full frame's
// 12 MiB a million times).
TEST(WireCodec, EntriesSharingOneTableAreRejectedBeforeTheyAreCopied) {
  auto forged = [](size_t copies) {
    flatbuffers::FlatBufferBuilder b;
    auto entry = fb::CreateUploadEntry(b, 1, b.CreateVector(std::vector<uint8_t>(64 << 10, 'e')));
    auto upload = fb::CreateUpload(
        b, 7, b.CreateVector(std::vector<flatbuffers::Offset<fb::UploadEntry>>(copies, entry)));
    fb::FinishFrameBuffer(b, fb::CreateFrame(b, fb::Message::Upload, upload.Union()));
    return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  };
  Result<Message> r = DecodeMessage(forged(1000));
  ASSERT_TRUE(r.status().IsCorruption()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("same data more than once"), std::string::npos)
      << r.status().ToString();
  // Once, the same bytes get past the sharing check to the entry's own.
  Result<Message> once = DecodeMessage(forged(1));
  ASSERT_TRUE(once.status().IsCorruption());
  EXPECT_EQ(once.status().message().find("same data more than once"), std::string::npos)
      << once.status().ToString();
}

TEST(WireCodec, OutOfRangeEnumsAreRejected) {
  for (auto [code, reason] :
       {std::pair{uint16_t{200}, uint16_t{0}}, std::pair{uint16_t{6}, uint16_t{99}},
        std::pair{uint16_t{0}, uint16_t{0}}, std::pair{uint16_t{kMaxErrorCode + 1}, uint16_t{0}},
        std::pair{uint16_t{6}, uint16_t{kMaxResetReason + 1}}}) {
    flatbuffers::FlatBufferBuilder b;
    auto text = b.CreateString("x");
    auto e = fb::CreateError(b, static_cast<fb::ErrorCode>(code), text,
                             static_cast<fb::ResetReason>(reason));
    fb::FinishFrameBuffer(b, fb::CreateFrame(b, fb::Message::Error, e.Union()));
    Result<Message> r = DecodeMessage(
        std::string_view(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()));
    EXPECT_TRUE(r.status().IsCorruption()) << code << "/" << reason;
  }
}

TEST(WireCodec, TheLastErrorCodeAndResetReasonDecodeWithTheirNames) {
  Result<Message> r = DecodeMessage(
      EncodeMessage(Error{ErrorCode::kBadClientSecret, "x", ResetReason::kClientRollback, 7}));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Error& e = std::get<Error>(*r);
  EXPECT_EQ(ErrorCodeName(e.code), "bad-client-secret");
  EXPECT_EQ(ResetReasonName(e.reset_reason), "client-rollback");
  EXPECT_EQ(e.restored_latest_version, 7u);
}

TEST(WireCodec, DamagedNestedEntryIsRejected) {
  std::string entry = SampleEntry(3);
  entry[entry.size() / 2] ^= 0x5A;
  entry.resize(entry.size() - 3);
  Result<Message> r = DecodeMessage(EncodeMessage(Upload{1, {{3, entry, {}}}}));
  EXPECT_TRUE(r.status().IsCorruption());
}

TEST(WireCodec, UploadEntryWhoseLsnDisagreesIsRejected) {
  Result<Message> r = DecodeMessage(EncodeMessage(Upload{1, {{4, SampleEntry(3), {}}}}));
  EXPECT_TRUE(r.status().IsCorruption());
}

TEST(WireCodec, UploadLsnsMustIncrease) {
  Result<Message> r =
      DecodeMessage(EncodeMessage(Upload{1, {{2, SampleEntry(2), {}}, {2, SampleEntry(2), {}}}}));
  EXPECT_TRUE(r.status().IsCorruption());
}

TEST(WireCodec, ChangesetsMustBeConsecutive) {
  Changesets c{{{5, 1, 1, 0, SampleEntry(1), {}}, {7, 1, 2, 0, SampleEntry(2), {}}}, 7, ""};
  EXPECT_TRUE(DecodeMessage(EncodeMessage(c)).status().IsCorruption());
  Changesets beyond{{{5, 1, 1, 0, SampleEntry(1), {}}}, 4, ""};
  EXPECT_TRUE(DecodeMessage(EncodeMessage(beyond)).status().IsCorruption());
}

TEST(WireCodec, BootstrapKeysMustBeWellFormedAndOrdered) {
  std::string obj = codec::EncodeObject({});
  BootstrapPage unordered{
      1,
      {{layout::StateKey("c", "b"), obj, {}}, {layout::StateKey("c", "a"), obj, {}}},
      true,
      0,
      ""};
  EXPECT_TRUE(DecodeMessage(EncodeMessage(unordered)).status().IsCorruption());
  BootstrapPage bad_key{1, {{"no-separator", obj, {}}}, true, 0, ""};
  EXPECT_TRUE(DecodeMessage(EncodeMessage(bad_key)).status().IsCorruption());
}

// A chain hash is whole or absent (a peer from before the chain sends none).
TEST(WireCodec, ChainHashesOfAnyOtherLengthThanTheirsAreRejected) {
  for (size_t size : {size_t{1}, kChainHashBytes - 1, kChainHashBytes + 1}) {
    std::vector<Message> samples = Samples();
    std::get<Hello>(samples[0]).download_hash.resize(size);
    std::get<Changesets>(samples[6]).chain_hash.resize(size);
    std::get<BootstrapPage>(samples[8]).chain_hash.resize(size);
    for (size_t i : {0, 6, 8})
      EXPECT_TRUE(DecodeMessage(EncodeMessage(samples[i])).status().IsCorruption())
          << MessageName(samples[i]) << " with a hash of " << size << " bytes";
  }
  std::vector<Message> absent = Samples();
  std::get<Hello>(absent[0]).download_hash.clear();
  std::get<Changesets>(absent[6]).chain_hash.clear();
  std::get<BootstrapPage>(absent[8]).chain_hash.clear();
  for (size_t i : {0, 6, 8}) EXPECT_TRUE(DecodeMessage(EncodeMessage(absent[i])).ok());
}

TEST(WireCodec, ChangesetRecordRoundTripsAndRejectsDamage) {
  Changeset c{9, 2, 4, 77, SampleEntry(4), {}};
  std::string rec = EncodeChangesetRecord(c);
  Result<Changeset> back = DecodeChangesetRecord(rec);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->server_version, 9u);
  EXPECT_EQ(back->entry.lsn, 4u);
  EXPECT_TRUE(DecodeChangesetRecord(rec.substr(0, rec.size() / 2)).status().IsCorruption());
  EXPECT_TRUE(DecodeChangesetRecord(EncodeMessage(Samples()[0])).status().IsCorruption());
}

}  // namespace
}  // namespace journaldb::wire
