#include <fmt/format.h>

#include "db_impl.h"

namespace journaldb {

Transaction::Transaction(Transaction&& other) noexcept
    : db_(other.db_),
      ops_(std::move(other.ops_)),
      finished_(other.finished_),
      views_(std::move(other.views_)) {
  other.finished_ = true;
}

Transaction& Transaction::operator=(Transaction&& other) noexcept {
  db_ = other.db_;
  ops_ = std::move(other.ops_);
  finished_ = other.finished_;
  views_ = std::move(other.views_);
  other.finished_ = true;
  return *this;
}

Transaction::~Transaction() = default;

Status Transaction::Write(Operation op) {
  if (finished_)
    return Status::FailedPrecondition("transaction already committed or rolled back");
  if (Status s = op.Validate(); !s.ok()) return s;
  ops_.push_back(std::move(op));
  return Status::OK();
}

Status Transaction::Upsert(std::string_view collection, std::string_view key, FieldMap fields) {
  return Write(Operation::Upsert(std::string(collection), std::string(key), std::move(fields)));
}

Status Transaction::EraseField(std::string_view collection, std::string_view key,
                               std::string_view field) {
  return Write(
      Operation::EraseField(std::string(collection), std::string(key), std::string(field)));
}

Status Transaction::EraseObject(std::string_view collection, std::string_view key) {
  return Write(Operation::EraseObject(std::string(collection), std::string(key)));
}

Status Transaction::Increment(std::string_view collection, std::string_view key,
                              std::string_view field, int64_t delta) {
  return Write(Operation::Increment(std::string(collection), std::string(key),
                                    std::string(field), delta));
}

Result<Lsn> Transaction::Commit() { return DatabaseImpl::CommitTransaction(*this, nullptr); }

Result<Lsn> DatabaseImpl::CommitTransaction(Transaction& txn, const CommitMarker* marker) {
  if (txn.finished_)
    return Status::FailedPrecondition("transaction already committed or rolled back");
  if (txn.ops_.empty())
    return Status::FailedPrecondition("transaction has no operations to commit");
  Result<Lsn> lsn = txn.db_->Commit(txn.ops_, marker);
  if (lsn.ok()) txn.db_->NotifyCommitted();
  // Only a commit that did not apply leaves the transaction open; a failed
  // write is sticky for the database, so retrying could not help.
  if (lsn.ok() || !lsn.status().IsInvalidArgument()) {
    txn.finished_ = true;
    txn.ops_.clear();
    txn.views_.clear();
  }
  return lsn;
}

Result<Lsn> CommitWithMarker(Transaction& txn, const CommitMarker& marker) {
  if (Status s = ValidateMarkerKey(marker.key); !s.ok()) return s;
  return DatabaseImpl::CommitTransaction(txn, &marker);
}

void Transaction::Rollback() {
  finished_ = true;
  ops_.clear();
  views_.clear();
}

}  // namespace journaldb
