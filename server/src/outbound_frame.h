// OutboundFrame: one encoded frame a connection sends (length prefix and
// message), immutable once built, so that many connections can send the
// same bytes (a changesets reply from the ReplyCache). Its bytes may be
// charged to the server's budget for frames in flight: the charge is given
// back when the last holder (a connection's outbox, a send in progress, the
// cache) drops it.
//
//   auto frame = std::make_shared<OutboundFrame>(&budget, "changesets");
//   if (!frame->charge.Grow(n)) ...;  // then fill frame->bytes
//   c.outbox.push_back(std::move(frame));
//
// Thread safety: immutable after it is shared; the last holder, on any
// thread, gives the charge back.
#ifndef JOURNALDB_SERVER_OUTBOUND_FRAME_H_
#define JOURNALDB_SERVER_OUTBOUND_FRAME_H_

#include <memory>
#include <string>
#include <string_view>

#include "journaldb/protocol/byte_budget.h"

namespace journaldb::server {

struct OutboundFrame {
  // `budget` null: an uncharged frame (a small reply: hello-ok, ack, error).
  OutboundFrame(sync::ByteBudget* budget, std::string_view message_name)
      : name(message_name), charge(budget) {}

  std::string bytes;      // the length prefix and the encoded message
  std::string_view name;  // wire::MessageName: static storage
  sync::ByteBudget::Lease charge;
};

using SharedFrame = std::shared_ptr<const OutboundFrame>;

}  // namespace journaldb::server

#endif  // JOURNALDB_SERVER_OUTBOUND_FRAME_H_
