// DecideAdmission case by case: every reset trigger, the checks before them,
// the order in which they apply, and the boundaries of each cursor check.
#include "journaldb/server/admission.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace journaldb::server {
namespace {

using wire::ErrorCode;
using wire::ResetReason;

constexpr char kToken[] = "secret";
constexpr uint64_t kEpoch = 77;
constexpr uint64_t kOtherEpoch = 66;
constexpr uint64_t kLatest = 50;
constexpr uint64_t kHorizon = 10;
constexpr uint64_t kClientId = 5;
constexpr Lsn kHighestLsn = 8;
// Client 5's secret: 32 bytes, as a server issues them.
const std::string kSecret = "0123456789abcdef0123456789abcdef";

// The chain hash the store holds at the hello's download cursor.
ChainHash StoredHash() {
  ChainHash h;
  h.fill(0x5a);
  return h;
}

// A lineage at version 50 trimmed up to 10, and client 5 holding lsns up to 8.
AdmissionView View() {
  AdmissionView v;
  v.epoch = kEpoch;
  v.latest_version = kLatest;
  v.horizon = kHorizon;
  v.client = ClientRecord{kHighestLsn, false, HashClientSecret(kSecret)};
  v.cursor_hash = StoredHash();
  return v;
}

// Client 5, in step with the lineage: every check passes.
wire::Hello KnownHello() {
  wire::Hello h;
  h.token = kToken;
  h.client_id = kClientId;
  h.epoch = kEpoch;
  h.download_cursor = 30;
  h.upload_cursor = kHighestLsn;
  h.client_secret = kSecret;
  h.download_hash = DigestBytes(StoredHash());
  return h;
}

wire::Hello NewClientHello() {
  wire::Hello h;
  h.token = kToken;
  return h;
}

::testing::AssertionResult Refused(const AdmissionDecision& d, ErrorCode code,
                                   ResetReason reason = ResetReason::kNone,
                                   uint64_t restored_latest = 0) {
  const wire::Error* e = std::get_if<wire::Error>(&d);
  if (e == nullptr) return ::testing::AssertionFailure() << "admitted";
  if (e->code != code || e->reset_reason != reason || e->restored_latest_version != restored_latest)
    return ::testing::AssertionFailure() << "refused with " << wire::ErrorCodeName(e->code) << "/"
                                         << wire::ResetReasonName(e->reset_reason) << " restored "
                                         << e->restored_latest_version << ": " << e->message;
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Reset(const AdmissionDecision& d, ResetReason reason,
                                 uint64_t restored_latest = 0) {
  return Refused(d, ErrorCode::kClientReset, reason, restored_latest);
}

const Admit* Admitted(const AdmissionDecision& d) { return std::get_if<Admit>(&d); }

std::string Message(const AdmissionDecision& d) {
  const wire::Error* e = std::get_if<wire::Error>(&d);
  return e ? e->message : std::string();
}

// --- accepted hellos -----------------------------------------------------------

TEST(Admission, AKnownClientInStepIsAdmittedWithTheLineageAndItsHighestLsn) {
  AdmissionDecision d = DecideAdmission(KnownHello(), kToken, View());
  const Admit* a = Admitted(d);
  ASSERT_NE(a, nullptr) << Message(d);
  EXPECT_FALSE(a->register_client);
  EXPECT_EQ(a->reply.client_id, kClientId);
  EXPECT_EQ(a->reply.epoch, kEpoch);
  EXPECT_EQ(a->reply.latest_version, kLatest);
  EXPECT_EQ(a->reply.horizon, kHorizon);
  EXPECT_EQ(a->reply.highest_stored_lsn, kHighestLsn);
}

TEST(Admission, AKnownClientsFirstHelloSinceRegisteringIsItsFirstUse) {
  AdmissionView view = View();
  AdmissionDecision used = DecideAdmission(KnownHello(), kToken, view);
  ASSERT_NE(Admitted(used), nullptr) << Message(used);
  EXPECT_FALSE(Admitted(used)->first_use);
  view.client->used = false;
  AdmissionDecision first = DecideAdmission(KnownHello(), kToken, view);
  ASSERT_NE(Admitted(first), nullptr) << Message(first);
  EXPECT_TRUE(Admitted(first)->first_use);
  // A refused hello uses nothing: a wrong secret brings no mark.
  wire::Hello wrong = KnownHello();
  wrong.client_secret[0] ^= 1;
  EXPECT_EQ(Admitted(DecideAdmission(wrong, kToken, view)), nullptr);
  // A registration is no use of the id it creates.
  AdmissionDecision registration = DecideAdmission(NewClientHello(), kToken, view);
  ASSERT_NE(Admitted(registration), nullptr) << Message(registration);
  EXPECT_FALSE(Admitted(registration)->first_use);
}

TEST(Admission, ClientIdZeroRegistersWithoutLookingAtAnyRegistryEntry) {
  AdmissionView view = View();
  // Whatever the store returned for id 0 must not make it a reset.
  view.client = ClientRecord{99, true, std::nullopt};
  AdmissionDecision d = DecideAdmission(NewClientHello(), kToken, view);
  const Admit* a = Admitted(d);
  ASSERT_NE(a, nullptr) << Message(d);
  EXPECT_TRUE(a->register_client);
  EXPECT_EQ(a->reply.client_id, 0u);
  EXPECT_EQ(a->reply.epoch, kEpoch);
  EXPECT_EQ(a->reply.latest_version, kLatest);
  EXPECT_EQ(a->reply.horizon, kHorizon);
  EXPECT_EQ(a->reply.highest_stored_lsn, 0u);
}

TEST(Admission, ARegistrationCarryingAnEpochOrCursorIsAProtocolViolation) {
  for (uint64_t wire::Hello::*field :
       {&wire::Hello::epoch, &wire::Hello::download_cursor, &wire::Hello::upload_cursor}) {
    wire::Hello h = NewClientHello();
    h.*field = 1;
    EXPECT_TRUE(Refused(DecideAdmission(h, kToken, View()), ErrorCode::kProtocolViolation));
  }
}

TEST(Admission, ARegistrationCarryingASecretIsAProtocolViolation) {
  // A client secret proves an id; a client file without one proposes its
  // secret in registration_secret.
  wire::Hello h = NewClientHello();
  h.client_secret = kSecret;
  EXPECT_TRUE(Refused(DecideAdmission(h, kToken, View()), ErrorCode::kProtocolViolation));
}

TEST(Admission, ARegistrationSecretOf32BytesIsPassedOnAndOfAnotherLengthIsAProtocolViolation) {
  wire::Hello h = NewClientHello();
  h.registration_secret = kSecret;
  const AdmissionDecision proposed = DecideAdmission(h, kToken, View());
  ASSERT_NE(Admitted(proposed), nullptr);
  EXPECT_TRUE(Admitted(proposed)->register_client);
  EXPECT_EQ(Admitted(proposed)->registration_secret, kSecret);
  const AdmissionDecision plain = DecideAdmission(NewClientHello(), kToken, View());
  ASSERT_NE(Admitted(plain), nullptr);
  EXPECT_TRUE(Admitted(plain)->registration_secret.empty());  // the server issues one
  for (size_t size : {size_t{1}, size_t{31}, size_t{33}}) {
    h.registration_secret.assign(size, 'r');
    EXPECT_TRUE(Refused(DecideAdmission(h, kToken, View()), ErrorCode::kProtocolViolation)) << size;
  }
}

TEST(Admission, AKnownClientsHelloCarryingARegistrationSecretIsAProtocolViolation) {
  wire::Hello h = KnownHello();
  h.registration_secret = kSecret;
  EXPECT_TRUE(Refused(DecideAdmission(h, kToken, View()), ErrorCode::kProtocolViolation));
}

TEST(Admission, EpochZeroIsAClientThatNeverSyncedNotAMismatch) {
  wire::Hello h = KnownHello();
  h.epoch = 0;
  h.download_cursor = 0;
  h.upload_cursor = 0;
  EXPECT_NE(Admitted(DecideAdmission(h, kToken, View())), nullptr);
}

TEST(Admission, AnEmptyTokenIsAcceptedByAServerWithoutToken) {
  wire::Hello h = KnownHello();
  h.token.clear();
  EXPECT_NE(Admitted(DecideAdmission(h, "", View())), nullptr);
  EXPECT_TRUE(Refused(DecideAdmission(KnownHello(), "", View()), ErrorCode::kUnauthorized));
}

// --- refusals before the registry is consulted -------------------------------

TEST(Admission, AnotherProtocolVersionIsUnsupportedNamingBoth) {
  for (uint32_t version : {0u, wire::kProtocolVersion + 1}) {
    wire::Hello h = KnownHello();
    h.protocol_version = version;
    AdmissionDecision d = DecideAdmission(h, kToken, View());
    EXPECT_TRUE(Refused(d, ErrorCode::kUnsupportedVersion));
    EXPECT_NE(Message(d).find(std::to_string(version)), std::string::npos) << Message(d);
  }
}

TEST(Admission, ATokenThatIsNotExactlyTheServersIsUnauthorized) {
  for (std::string token : {"", "secre", "secret!", "Secret", "secreT"}) {
    wire::Hello h = KnownHello();
    h.token = token;
    EXPECT_TRUE(Refused(DecideAdmission(h, kToken, View()), ErrorCode::kUnauthorized)) << token;
  }
}

TEST(Admission, TheVersionIsCheckedBeforeTheToken) {
  wire::Hello h = KnownHello();
  h.protocol_version = 0;
  h.token = "wrong";
  EXPECT_TRUE(Refused(DecideAdmission(h, kToken, View()), ErrorCode::kUnsupportedVersion));
}

TEST(Admission, TheTokenIsCheckedBeforeAnyResetTrigger) {
  wire::Hello h = KnownHello();
  h.token = "wrong";
  AdmissionView view = View();
  view.client.reset();
  EXPECT_TRUE(Refused(DecideAdmission(h, kToken, view), ErrorCode::kUnauthorized));
  // A registration with a wrong token is refused too, before any id is given.
  wire::Hello fresh = NewClientHello();
  fresh.token = "wrong";
  EXPECT_TRUE(Refused(DecideAdmission(fresh, kToken, View()), ErrorCode::kUnauthorized));
}

// --- the client secret ---------------------------------------------------------

TEST(Admission, AHelloWithoutTheSecretIsABadClientSecretNamingTheId) {
  wire::Hello h = KnownHello();
  h.client_secret.clear();
  AdmissionDecision d = DecideAdmission(h, kToken, View());
  EXPECT_TRUE(Refused(d, ErrorCode::kBadClientSecret));
  EXPECT_NE(Message(d).find("client 5"), std::string::npos) << Message(d);
}

TEST(Admission, ASecretDifferingInAnyByteOrLengthIsABadClientSecret) {
  std::vector<std::string> wrong;
  for (size_t i = 0; i < kSecret.size(); ++i) {
    std::string s = kSecret;
    s[i] ^= 1;
    wrong.push_back(s);
  }
  wrong.push_back(kSecret.substr(1));
  wrong.push_back(kSecret + "x");
  wrong.push_back(kSecret + kSecret);
  // The stored hash itself, sent as if it were the secret.
  SecretHash hash = HashClientSecret(kSecret);
  wrong.emplace_back(reinterpret_cast<const char*>(hash.data()), hash.size());
  for (const std::string& secret : wrong) {
    wire::Hello h = KnownHello();
    h.client_secret = secret;
    EXPECT_TRUE(Refused(DecideAdmission(h, kToken, View()), ErrorCode::kBadClientSecret));
  }
}

TEST(Admission, AnotherClientsSecretIsABadClientSecret) {
  // Client 5's hello with the secret of a client registered as 6.
  AdmissionView view = View();
  view.client->secret_hash = HashClientSecret("fedcba9876543210fedcba9876543210");
  EXPECT_TRUE(Refused(DecideAdmission(KnownHello(), kToken, view), ErrorCode::kBadClientSecret));
}

TEST(Admission, ABadSecretIsRefusedBeforeTheClientsOwnHistoryIsConsulted) {
  // Each of these would otherwise tell the caller about client 5's history.
  for (auto change : {+[](wire::Hello& h) { h.download_cursor = kLatest + 1; },
                      +[](wire::Hello& h) { h.download_cursor = kHorizon - 1; },
                      +[](wire::Hello& h) { h.upload_cursor = kHighestLsn + 1; }}) {
    wire::Hello h = KnownHello();
    h.client_secret.clear();
    change(h);
    EXPECT_TRUE(Refused(DecideAdmission(h, kToken, View()), ErrorCode::kBadClientSecret));
  }
}

TEST(Admission, AClientRegisteredWithoutASecretMustResetWhateverTheHelloCarries) {
  AdmissionView view = View();
  view.client->secret_hash.reset();
  for (std::string secret : {std::string(), kSecret}) {
    wire::Hello h = KnownHello();
    h.client_secret = secret;
    AdmissionDecision d = DecideAdmission(h, kToken, view);
    // A reset, not the ones that would claim the server lost the client's
    // writes: its acknowledged entries are all still held.
    EXPECT_TRUE(Reset(d, ResetReason::kUnverifiableClient));
    EXPECT_NE(Message(d).find("client 5"), std::string::npos) << Message(d);
  }
}

TEST(Admission, AnEpochMismatchComesBeforeTheSecretSoAReplacedServerStillResetsItsClients) {
  // A data directory replaced by another lineage may have given id 5 to
  // another client: the secret cannot match there, and the reset is what
  // the real client needs.
  AdmissionView view = View();
  view.client->secret_hash = HashClientSecret("fedcba9876543210fedcba9876543210");
  wire::Hello h = KnownHello();
  h.epoch = kOtherEpoch;
  EXPECT_TRUE(Reset(DecideAdmission(h, kToken, view), ResetReason::kEpochMismatch, 0));
}

TEST(Admission, TheSecretHashIsSha256) {
  // FIPS 180-2 test vector "abc": the registry's bytes stay readable by
  // any later build.
  SecretHash h = HashClientSecret("abc");
  std::string hex;
  for (unsigned char c : h) {
    hex += "0123456789abcdef"[c >> 4];
    hex += "0123456789abcdef"[c & 15];
  }
  EXPECT_EQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Admission, NewSecretsAre32BytesAndDiffer) {
  Result<std::string> a = NewClientSecret();
  Result<std::string> b = NewClientSecret();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), wire::kClientSecretBytes);
  EXPECT_EQ(b->size(), wire::kClientSecretBytes);
  EXPECT_NE(*a, *b);
}

// --- reset triggers ------------------------------------------------------------

TEST(Admission, AnIdTheRegistryDoesNotHoldIsAnUnknownClientReset) {
  AdmissionView view = View();
  view.client.reset();
  AdmissionDecision d = DecideAdmission(KnownHello(), kToken, view);
  EXPECT_TRUE(Reset(d, ResetReason::kUnknownClient));
  EXPECT_NE(Message(d).find("client 5"), std::string::npos) << Message(d);
  EXPECT_NE(Message(d).find("expired unused"), std::string::npos) << Message(d);
}

TEST(Admission, AClientAnOperatorResetIsResetEvenWhenOtherwiseInStep) {
  AdmissionView view = View();
  view.client->reset = true;
  EXPECT_TRUE(Reset(DecideAdmission(KnownHello(), kToken, view), ResetReason::kOperatorReset));
}

TEST(Admission, AnOperatorResetComesBeforeAnEpochMismatch) {
  AdmissionView view = View();
  view.client->reset = true;
  view.client_epoch_fork_version = 40;
  wire::Hello h = KnownHello();
  h.epoch = kOtherEpoch;
  EXPECT_TRUE(Reset(DecideAdmission(h, kToken, view), ResetReason::kOperatorReset));
}

TEST(Admission, AnotherEpochIsAMismatchNamingItsForkVersionNotTheLatest) {
  AdmissionView view = View();
  view.client_epoch_fork_version = 40;
  wire::Hello h = KnownHello();
  h.epoch = kOtherEpoch;
  AdmissionDecision d = DecideAdmission(h, kToken, view);
  EXPECT_TRUE(Reset(d, ResetReason::kEpochMismatch, 40));
  EXPECT_NE(Message(d).find("restored latest version 40"), std::string::npos) << Message(d);
}

TEST(Admission, AnEpochWithoutKnownForkPointIsAMismatchRestoringVersionZero) {
  wire::Hello h = KnownHello();
  h.epoch = kOtherEpoch;
  EXPECT_TRUE(Reset(DecideAdmission(h, kToken, View()), ResetReason::kEpochMismatch, 0));
}

TEST(Admission, AnEpochMismatchComesBeforeCursorChecksThatWouldMeanNothingAcrossLineages) {
  AdmissionView view = View();
  view.client_epoch_fork_version = 40;
  wire::Hello h = KnownHello();
  h.epoch = kOtherEpoch;
  h.download_cursor = kLatest + 100;  // would be a bad cursor
  h.upload_cursor = kHighestLsn + 1;  // would be a rollback
  EXPECT_TRUE(Reset(DecideAdmission(h, kToken, view), ResetReason::kEpochMismatch, 40));
}

TEST(Admission, ADownloadCursorAtTheLatestVersionIsAdmittedAndOneBeyondIsAServerRollback) {
  wire::Hello h = KnownHello();
  h.download_cursor = kLatest;
  EXPECT_NE(Admitted(DecideAdmission(h, kToken, View())), nullptr);
  h.download_cursor = kLatest + 1;
  AdmissionDecision d = DecideAdmission(h, kToken, View());
  // The same epoch never went back: its history was rolled back in place.
  EXPECT_TRUE(Reset(d, ResetReason::kServerRollback, kHighestLsn));
  EXPECT_NE(Message(d).find("51"), std::string::npos) << Message(d);
}

TEST(Admission, ADownloadHashThatDiffersFromTheStoredOneIsAServerRollbackNamingTheHeldLsn) {
  wire::Hello h = KnownHello();
  h.download_hash[7] ^= 1;
  AdmissionDecision d = DecideAdmission(h, kToken, View());
  EXPECT_TRUE(Reset(d, ResetReason::kServerRollback, kHighestLsn));
  EXPECT_NE(Message(d).find("version 30"), std::string::npos) << Message(d);
}

TEST(Admission, AHelloWithoutADownloadHashOrACursorWithoutAStoredHashIsNotChecked) {
  wire::Hello h = KnownHello();
  h.download_hash.clear();  // a client file from before the chain
  EXPECT_NE(Admitted(DecideAdmission(h, kToken, View())), nullptr);
  AdmissionView view = View();
  view.cursor_hash.reset();
  h = KnownHello();
  h.download_hash[0] ^= 1;
  EXPECT_NE(Admitted(DecideAdmission(h, kToken, view)), nullptr);
}

TEST(Admission, ANewClientMustNotCarryADownloadHash) {
  wire::Hello h = NewClientHello();
  h.download_hash = DigestBytes(StoredHash());
  EXPECT_TRUE(Refused(DecideAdmission(h, kToken, View()), ErrorCode::kProtocolViolation));
}

TEST(Admission, ADownloadCursorAtTheHorizonIsAdmittedAndOneBelowIsHistoryTrimmed) {
  wire::Hello h = KnownHello();
  h.download_cursor = kHorizon;
  EXPECT_NE(Admitted(DecideAdmission(h, kToken, View())), nullptr);
  h.download_cursor = kHorizon - 1;
  AdmissionDecision d = DecideAdmission(h, kToken, View());
  EXPECT_TRUE(Reset(d, ResetReason::kHistoryTrimmed));
  EXPECT_NE(Message(d).find("up to version 10"), std::string::npos) << Message(d);
}

// Below the horizon, but the server holds lsns the client has no acks for
// (an ack lost, or its data went back): admitted to send them again first,
// to be compared, so that its reset (at the download) does not apply them a
// second time.
TEST(Admission, BelowTheHorizonAClientMissingAcksIsAdmittedToSendThemFirst) {
  wire::Hello h = KnownHello();
  h.download_cursor = kHorizon - 1;
  h.upload_cursor = kHighestLsn - 2;
  EXPECT_NE(Admitted(DecideAdmission(h, kToken, View())), nullptr);
  h.upload_cursor = kHighestLsn;
  EXPECT_TRUE(Reset(DecideAdmission(h, kToken, View()), ResetReason::kHistoryTrimmed));
}

TEST(Admission, ADownloadCursorOfZeroBelowTheHorizonIsAdmittedToBootstrap) {
  wire::Hello h = KnownHello();
  h.download_cursor = 0;
  EXPECT_NE(Admitted(DecideAdmission(h, kToken, View())), nullptr);
}

TEST(Admission, AnUploadCursorAboveTheHighestHeldLsnIsAServerRollbackNamingThatLsn) {
  wire::Hello h = KnownHello();
  h.upload_cursor = kHighestLsn + 1;
  AdmissionDecision d = DecideAdmission(h, kToken, View());
  EXPECT_TRUE(Reset(d, ResetReason::kServerRollback, kHighestLsn));
}

TEST(Admission, AnUploadCursorBelowTheHighestHeldLsnIsALostAckNotARollback) {
  wire::Hello h = KnownHello();
  h.upload_cursor = kHighestLsn - 3;
  AdmissionDecision d = DecideAdmission(h, kToken, View());
  const Admit* a = Admitted(d);
  ASSERT_NE(a, nullptr) << Message(d);
  // The client learns where to resume its upload.
  EXPECT_EQ(a->reply.highest_stored_lsn, kHighestLsn);
}

TEST(Admission, ACursorBeyondTheLatestVersionIsARollbackWhateverTheUploadCursor) {
  wire::Hello h = KnownHello();
  h.download_cursor = kLatest + 1;
  h.upload_cursor = kHighestLsn + 1;
  AdmissionDecision d = DecideAdmission(h, kToken, View());
  EXPECT_TRUE(Reset(d, ResetReason::kServerRollback, kHighestLsn));
  EXPECT_NE(Message(d).find("beyond the latest"), std::string::npos) << Message(d);
}

TEST(Admission, TrimmedHistoryComesBeforeARollback) {
  wire::Hello h = KnownHello();
  h.download_cursor = kHorizon - 1;
  h.upload_cursor = kHighestLsn + 1;
  EXPECT_TRUE(Reset(DecideAdmission(h, kToken, View()), ResetReason::kHistoryTrimmed));
}

}  // namespace
}  // namespace journaldb::server
