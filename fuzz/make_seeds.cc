// Writes seed corpora of valid encodings: make_seeds OUT_DIR
// (OUT_DIR/<fuzzer name>/*). The directories must exist.
#include <fmt/format.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include "journaldb/engine/client_reset_record.h"
#include "journaldb/journal/codec.h"
#include "journaldb/protocol/wire_codec.h"
#include "journaldb/recovery/manifest_codec.h"
#include "op_sequence_reopen.h"

using journaldb::ElementId;
using journaldb::ListElement;
using journaldb::Operation;
using journaldb::Value;

namespace {
void Write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}
bool IsRepeatedIdError(const journaldb::Status& s) {
  return s.IsCorruption() && s.message().find("repeated") != std::string::npos;
}
int Broken(const char* what) {
  std::fprintf(stderr, "make_seeds: the %s do not decode as intended\n", what);
  return 1;
}

// Op sequences for op_sequence_fuzzer, byte by byte in the order it reads
// them (fuzz/op_sequence_fuzzer.cc): list ops on one list, r<run>a/"k1".l.
namespace seq {
using Bytes = std::vector<uint8_t>;
Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
// No reopen marker, the op count, the ops.
Bytes Txn(std::initializer_list<Bytes> ops) {
  return Cat({{0, static_cast<uint8_t>(ops.size() - 1)}, Cat(ops)});
}
// After the first reopen marker no transaction reads one.
Bytes TxnAfterMarker(std::initializer_list<Bytes> ops) {
  Bytes t = Txn(ops);
  t.erase(t.begin());
  return t;
}
const Bytes kReopenMarker = {0xFF, 0xFF};
// Collection a, key k1; field byte, a list op, on field "l".
const Bytes kList = {0, 0, 0, 3, 4, 1};
Bytes Known(uint8_t i) { return {1, i}; }  // the i-th id given for the list
const Bytes kHead = {0};
Bytes After(uint8_t i) { return Cat({{1}, Known(i)}); }
const Bytes kNull = {0};
const Bytes kInt = {2, 0, 0, 0, 0, 0, 0, 0, 0};
Bytes ApiInsert(const Bytes& after) { return Cat({kList, {0x00}, after, kNull}); }
Bytes ApiRemove(uint8_t i) { return Cat({kList, {0x01}, Known(i)}); }
Bytes ApiSet(uint8_t i) { return Cat({kList, {0x02}, Known(i), kInt}); }
Bytes ApiMove(uint8_t i, const Bytes& after) { return Cat({kList, {0x03}, Known(i), after}); }
// Raw ops: an insert under a taken id, a set, a move to a taken id.
Bytes RawInsertTaken(uint8_t i, const Bytes& after) {
  return Cat({kList, {0x10, 0}, Known(i), after, kNull});
}
Bytes RawSet(uint8_t i) { return Cat({kList, {0x12}, Known(i), {1, 1}}); }
Bytes RawMoveToTaken(uint8_t i, const Bytes& after, uint8_t to) {
  return Cat({kList, {0x13}, Known(i), after, {0}, Known(to)});
}
// Field "f": an upsert of f = 0, then a list insert into it (not a list).
const Bytes kUpsertF = Cat({{0, 0, 0, 0, 0, 1, 0}, kInt});
const Bytes kListOnF = {0, 0, 0, 0, 4, 0, 0x00, 0, 0};
}  // namespace seq

// False if no value made an input that may reopen.
bool WriteOpSequenceSeeds(const std::string& out) {
  using namespace seq;
  auto write = [&](const std::string& name, const Bytes& b) {
    Write(out + "/op_sequence_fuzzer/" + name, std::string(b.begin(), b.end()));
  };
  // Ids 0.. in the order given: 0, 1 after 0, 2 at the head, 3 (0 moved after
  // 2); sets, a remove, a set and an insert through 0's forwarding; an insert
  // under a taken id; a move to a taken id (a no-op); a list
  // op on a scalar field.
  write("list_ops",
        Cat({Txn({ApiInsert(kHead)}), Txn({ApiInsert(After(0)), ApiInsert(kHead)}),
             Txn({ApiSet(1), ApiMove(0, After(2))}), Txn({ApiRemove(1)}), Txn({RawSet(0)}),
             Txn({ApiInsert(After(0))}), Txn({RawInsertTaken(2, kHead)}),
             Txn({RawMoveToTaken(2, kHead, 3)}), Txn({kUpsertF}), Txn({kListOnF})}));
  // Two elements, then the first moved under the second's id: a no-op, which
  // a fold that placed it anyway would turn into a repeated id.
  write("list_move_to_taken_id", Cat({Txn({ApiInsert(kHead)}), Txn({ApiInsert(After(0))}),
                                      Txn({RawMoveToTaken(0, kHead, 1)})}));
  // A list built, the database reopened, then ops on the ids given before
  // it; the last transaction's upsert holds the first value that makes the
  // input one that may reopen (journaldb::fuzz::MayReopen).
  const Bytes before = Cat({Txn({ApiInsert(kHead)}), Txn({ApiInsert(After(0)), ApiInsert(kHead)}),
                            kReopenMarker, TxnAfterMarker({ApiSet(1), ApiMove(0, After(2))}),
                            TxnAfterMarker({ApiRemove(1)}), TxnAfterMarker({ApiInsert(After(0))})});
  for (unsigned v = 0; v < 65536; ++v) {
    const Bytes b = Cat(
        {before, TxnAfterMarker({Cat({{0, 0, 0, 0, 0, 1, 0},
                                      {2, 0, 0, 0, 0, 0, 0},
                                      {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}})})});
    if (journaldb::fuzz::MayReopen(b.data(), b.size())) {
      write("list_reopen", b);
      return true;
    }
  }
  return false;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds OUT_DIR\n");
    return 2;
  }
  std::string out = argv[1];
  journaldb::FieldMap all_types = {{"n", Value::Null()},          {"b", Value::Bool(true)},
                                   {"i", Value::Int(-42)},        {"d", Value::Double(1.5)},
                                   {"s", Value::String("milk")}, {"x", Value::BytesValue("\x01\x02")}};
  journaldb::JournalEntry e;
  e.lsn = 7;
  e.download_cursor = 3;
  e.epoch = 11;
  e.client_id = 5;
  e.commit_time_us = 1700000000000000;
  e.ops = {Operation::Upsert("tasks", "t1", all_types), Operation::EraseField("tasks", "t1", "n"),
           Operation::Increment("tasks", "t1", "i", 2), Operation::EraseObject("tasks", "t2")};
  e.before = {{"tasks", "t1", "i", true, Value::Int(1)},
              {"tasks", "t1", "s", false, std::nullopt},
              {"tasks", "t2", "old", true, Value::String("x")}};
  Write(out + "/journal_entry_fuzzer/multi_op", journaldb::codec::EncodeEntry(e));
  journaldb::JournalEntry small;
  small.lsn = 1;
  small.ops = {Operation::Increment("c", "k", "f", -1)};
  small.before = {{"c", "k", "f", false, std::nullopt}};
  Write(out + "/journal_entry_fuzzer/single_increment", journaldb::codec::EncodeEntry(small));
  Write(out + "/stored_object_fuzzer/all_types", journaldb::codec::EncodeObject(all_types));
  Write(out + "/stored_object_fuzzer/empty", journaldb::codec::EncodeObject({}));
  // Lists: a present element, a removed one (tombstone), and a moved one:
  // the tombstone at its old place forwards to its new id.
  const ElementId a{1, 0xc0ffee}, b{2, 0xc0ffee}, c{3, 0xbeef}, c_moved{4, 0xc0ffee};
  journaldb::List steps;
  steps.elements = {ListElement{c_moved, Value::String("milk"), false, {}},
                    ListElement{a, Value::Int(7), false, {}},
                    ListElement{b, Value::Null(), true, {}},
                    ListElement{c, Value::Null(), true, c_moved}};
  const Value steps_value = Value::ListValue(steps);
  journaldb::List repeated = steps;
  repeated.elements[1].id = c_moved;  // two elements with one id: never made by the fold
  const Value repeated_value = Value::ListValue(repeated);
  const std::string steps_object =
      journaldb::codec::EncodeObject({{"steps", steps_value}, {"title", Value::String("soup")}});
  const std::string repeated_object = journaldb::codec::EncodeObject({{"steps", repeated_value}});
  // The malformed seeds must reach the decoder's list check, not stop earlier.
  if (!journaldb::codec::DecodeObject(steps_object, "seed").ok() ||
      !IsRepeatedIdError(journaldb::codec::DecodeObject(repeated_object, "seed").status()))
    return Broken("list objects");
  Write(out + "/stored_object_fuzzer/list_tombstones_forwarding", steps_object);
  Write(out + "/stored_object_fuzzer/list_malformed_repeated_id", repeated_object);
  // Every list op kind, with the whole list before the transaction as the
  // before-image (tombstones and forwarding included).
  journaldb::JournalEntry list_entry;
  list_entry.lsn = 9;
  list_entry.download_cursor = 4;
  list_entry.epoch = 11;
  list_entry.client_id = 5;
  list_entry.commit_time_us = 1700000000000000;
  const ElementId d{5, 0xc0ffee}, a_moved{6, 0xc0ffee};
  list_entry.ops = {Operation::ListInsert("recipes", "r1", "steps", a, d, Value::String("salt")),
                    Operation::ListInsert("recipes", "r1", "steps", std::nullopt, ElementId{7, 1},
                                          Value::BytesValue(std::string("\x00\xff", 2))),
                    Operation::ListSet("recipes", "r1", "steps", c, Value::Double(-0.5)),
                    Operation::ListMove("recipes", "r1", "steps", a, std::nullopt, a_moved),
                    Operation::ListRemove("recipes", "r1", "steps", d)};
  list_entry.before = {{"recipes", "r1", "steps", true, steps_value}};
  const std::string list_ops = journaldb::codec::EncodeEntry(list_entry);
  list_entry.ops.resize(1);
  list_entry.before = {{"recipes", "r1", "steps", true, repeated_value}};
  const std::string repeated_entry = journaldb::codec::EncodeEntry(list_entry);
  if (!journaldb::codec::DecodeEntryAnyLsn(list_ops).ok() ||
      !IsRepeatedIdError(journaldb::codec::DecodeEntryAnyLsn(repeated_entry).status()))
    return Broken("list entries");
  Write(out + "/journal_entry_fuzzer/list_ops", list_ops);
  Write(out + "/journal_entry_fuzzer/list_malformed_repeated_id", repeated_entry);
  if (!WriteOpSequenceSeeds(out)) return Broken("op sequences (no reopening one)");
  journaldb::RecoveryManifest m;
  m.recovery_id = "20261126T120000Z-0badf00d";
  m.reason = "epoch-mismatch";
  m.original_path = "/data/app.journaldb";
  m.upload_cursor = 12;
  m.first_diverged_lsn = 13;
  m.last_diverged_lsn = 20;
  m.diverged_entries = 8;
  m.diverged_ops = 11;
  m.product_version = "journaldb 0.1.0";
  Write(out + "/recovery_manifest_fuzzer/diverged", journaldb::recovery::EncodeManifest(m));
  Write(out + "/recovery_manifest_fuzzer/empty_range",
        journaldb::recovery::EncodeManifest({"20261126T120000Z-00000001", "manual", 0, "/db", 0, 0,
                                            0, 0, 0, 0, 0, 0, "journaldb 0.1.0"}));
  journaldb::PendingClientReset reset;
  reset.reason = "epoch-mismatch";
  reset.message = "server history changed";
  reset.restored_latest_version = 4;
  reset.detected_time_us = 1795700000000000;
  reset.recovery_id = "20261126T120000Z-00000001";
  reset.recovery_root = "/data/app.journaldb.recovery";
  Write(out + "/client_reset_record_fuzzer/detected", journaldb::EncodeClientResetRecord(reset));
  reset.step = journaldb::ClientResetStep::kReady;
  reset.diverged_after_lsn = 12;
  reset.mode = "recover";
  Write(out + "/client_reset_record_fuzzer/ready", journaldb::EncodeClientResetRecord(reset));
  journaldb::ClientResetOutcome outcome;
  outcome.finished_time_us = 1795700000000000;
  outcome.recovery_id = reset.recovery_id;
  outcome.recovery_path = reset.recovery_root + "/" + reset.recovery_id;
  outcome.reason = reset.reason;
  outcome.mode = "recover-or-discard";
  outcome.transactions_replayed = 3;
  outcome.ops_not_applicable = {{2, 0, "cannot increment tasks/t1.views"}};
  outcome.transactions_not_recovered = 1;
  outcome.first_unrecovered_lsn = outcome.last_unrecovered_lsn = 5;
  outcome.discarded = true;
  Write(out + "/client_reset_record_fuzzer/outcome", journaldb::EncodeClientResetOutcome(outcome));
  // Sync frames: a leading 0 byte selects DecodeMessage, 1 a changeset record.
  namespace wire = journaldb::wire;
  auto frame = [&](const std::string& name, char selector, const std::string& body) {
    Write(out + "/sync_frame_fuzzer/" + name, std::string(1, selector) + body);
  };
  std::string entry_bytes = journaldb::codec::EncodeEntry(e);
  wire::Hello hello;
  hello.token = "s3cret";
  hello.client_id = 5;
  hello.epoch = 11;
  hello.download_cursor = 3;
  hello.upload_cursor = 6;
  hello.client_secret = std::string(wire::kClientSecretBytes, '\x5a');
  frame("hello", 0, wire::EncodeMessage(hello));
  // The fields rollback detection added: the chain hash at the hello's
  // cursor, in changesets and bootstrap pages, and the reset it triggers.
  hello.download_hash = std::string(wire::kChainHashBytes, '\x3c');
  frame("hello_download_hash", 0, wire::EncodeMessage(hello));
  // A registration proposing the client file's own secret.
  wire::Hello registration;
  registration.token = "s3cret";
  registration.registration_secret = std::string(wire::kClientSecretBytes, '\x7e');
  frame("hello_registration_secret", 0, wire::EncodeMessage(registration));
  wire::HelloOk hello_ok;
  hello_ok.client_id = 5;
  hello_ok.epoch = 11;
  hello_ok.latest_version = 4;
  hello_ok.client_secret = std::string(wire::kClientSecretBytes, '\xa5');
  frame("hello_ok", 0, wire::EncodeMessage(hello_ok));
  wire::Upload upload;
  upload.client_id = 5;
  upload.entries.push_back({7, entry_bytes, {}});
  frame("upload", 0, wire::EncodeMessage(upload));
  wire::Changesets changesets;
  changesets.latest_version = 4;
  changesets.changesets.push_back({4, 5, 7, 1700000000000000, entry_bytes, {}});
  frame("changesets", 0, wire::EncodeMessage(changesets));
  changesets.chain_hash = std::string(wire::kChainHashBytes, '\xc3');
  frame("changesets_chain_hash", 0, wire::EncodeMessage(changesets));
  wire::BootstrapPage page;
  page.server_version = 4;
  page.objects.push_back({std::string("tasks\0t1", 8), journaldb::codec::EncodeObject(all_types), {}});
  page.last = true;
  frame("bootstrap_page", 0, wire::EncodeMessage(page));
  page.client_highest_lsn = 7;
  page.chain_hash = std::string(wire::kChainHashBytes, '\x96');
  frame("bootstrap_page_chain_hash", 0, wire::EncodeMessage(page));
  wire::Error error;
  error.code = wire::ErrorCode::kClientReset;
  error.message = "history trimmed";
  error.reset_reason = wire::ResetReason::kHistoryTrimmed;
  frame("error", 0, wire::EncodeMessage(error));
  error.message = "download cursor 9 is beyond the latest server version 4";
  error.reset_reason = wire::ResetReason::kServerRollback;
  error.restored_latest_version = 6;  // the client's highest lsn the server holds
  frame("error_server_rollback", 0, wire::EncodeMessage(error));
  frame("changeset_record", 1, wire::EncodeChangesetRecord(changesets.changesets[0]));
  return 0;
}
