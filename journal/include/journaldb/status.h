// Status and Result: how every journaldb call that can fail reports it.
//
// Errors cross the API as values, never as exceptions. A Status carries a
// code that callers branch on and a message naming what was wrong (the path,
// lsn or key).
//
//   journaldb::Status s = txn.Commit().status();
//   if (s.IsClientResetRequired()) return s;   // Options::client_reset decides what happens
//   if (!s.ok()) std::cerr << s.ToString() << "\n";
//
// Thread safety: Status and Result are values; distinct objects may be used
// from different threads without synchronisation.
#ifndef JOURNALDB_STATUS_H_
#define JOURNALDB_STATUS_H_

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace journaldb {

enum class StatusCode : int {
  kOk = 0,
  kNotFound = 1,             // the database, object, field or entry does not exist
  kCorruption = 2,           // stored or received bytes failed verification (data loss)
  kIOError = 3,              // the file system failed; may succeed if retried
  kFailedPrecondition = 4,   // the call is not valid in the current state
  kInvalidArgument = 5,      // the caller passed a bad name, value or option
  kClientResetRequired = 6,  // the server demands a client reset
  kBusy = 7,                 // the database is locked by another process
};

// Human-readable name of a code, e.g. "corruption".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IOError(std::string m) { return {StatusCode::kIOError, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status ClientResetRequired(std::string m) {
    return {StatusCode::kClientResetRequired, std::move(m)};
  }
  static Status Busy(std::string m) { return {StatusCode::kBusy, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  bool IsIOError() const { return code_ == StatusCode::kIOError; }
  bool IsFailedPrecondition() const { return code_ == StatusCode::kFailedPrecondition; }
  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }
  bool IsClientResetRequired() const { return code_ == StatusCode::kClientResetRequired; }
  bool IsBusy() const { return code_ == StatusCode::kBusy; }

  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "OK" or "<code name>: <message>".
  std::string ToString() const;

  // Explicitly discards a status the caller has decided not to act on.
  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

namespace internal {
// Prints "journaldb: Result::value() on an error: <status>" to stderr and
// aborts: reading the value of a failed Result is a programming error, and
// the message keeps the Status that explains it (no exception crosses the API).
[[noreturn]] void DieOnValueOfError(const Status& status);
}  // namespace internal

// A value or the Status explaining why there is none.
//
//   journaldb::Result<journaldb::Object> task = db->Get("tasks", "t1");
//   if (!task.ok()) return task.status();
//   std::cout << task->key;
//
// Check ok() before value(), *, or ->: on an error they abort the process
// with the Status on stderr. value_or() never aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  // REQUIRES: !status.ok(). An OK status holds no value, so it is stored as
  // an internal error naming the mistake.
  Result(Status status)  // NOLINT: implicit by design
      : v_(status.ok() ? Status::FailedPrecondition("Result built from an OK status without a value")
                       : std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when a value is held.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

  // The value. REQUIRES: ok(); otherwise aborts with the Status on stderr.
  T& value() & {
    if (!ok()) Die();
    return std::get<T>(v_);
  }
  const T& value() const& {
    if (!ok()) Die();
    return std::get<T>(v_);
  }
  T&& value() && {
    if (!ok()) Die();
    return std::get<T>(std::move(v_));
  }
  // The value, or `fallback` on an error.
  T value_or(T fallback) const& { return ok() ? std::get<T>(v_) : std::move(fallback); }
  T value_or(T fallback) && { return ok() ? std::get<T>(std::move(v_)) : std::move(fallback); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  [[noreturn]] void Die() const { internal::DieOnValueOfError(std::get<Status>(v_)); }

  std::variant<T, Status> v_;
};

}  // namespace journaldb

#endif  // JOURNALDB_STATUS_H_
