#include "journaldb/status.h"

#include <cstdio>
#include <cstdlib>

namespace journaldb {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kCorruption: return "corruption";
    case StatusCode::kIOError: return "I/O error";
    case StatusCode::kFailedPrecondition: return "failed precondition";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kClientResetRequired: return "client reset required";
    case StatusCode::kBusy: return "busy";
  }
  return "unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(StatusCodeName(code_));
  s += ": ";
  s += message_;
  return s;
}

namespace internal {

void DieOnValueOfError(const Status& status) {
  std::fprintf(stderr, "journaldb: Result::value() on an error: %s\n", status.ToString().c_str());
  std::abort();
}

}  // namespace internal

}  // namespace journaldb
