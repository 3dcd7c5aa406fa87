#include "value_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "journaldb/journal/text.h"
#include "journaldb/journal/util/errno_status.h"
#include "journaldb/journal/util/fd.h"
#include "journaldb/operation.h"

namespace journaldb::cli {

namespace {

// Reading stops one byte past the limit: a larger input is told apart from
// one exactly at it without reading all of it.
constexpr size_t kReadLimit = kMaxValueBytes + 1;

Result<Value> CheckSize(std::string data, std::string_view name) {
  if (data.size() > kMaxValueBytes)
    return Status::InvalidArgument(fmt::format(
        "{} holds more than {} bytes (16 MiB), the largest value a field can hold", name,
        kMaxValueBytes));
  return Value::String(std::move(data));
}

}  // namespace

Result<Value> ReadValueFile(std::string_view path, std::istream& in) {
  std::string data(kReadLimit, '\0');
  if (path == "-") {
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    if (in.bad()) return Status::IOError("cannot read the value from stdin");
    data.resize(static_cast<size_t>(in.gcount()));
    return CheckSize(std::move(data), "stdin");
  }
  const std::string p(path);
  util::Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return util::ErrnoStatus("open the value file", text::Quoted(path));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return util::ErrnoStatus("stat the value file", text::Quoted(path));
  if (S_ISDIR(st.st_mode))
    return Status::InvalidArgument(
        fmt::format("{} is a directory, not a file holding a value", text::Quoted(path)));
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return util::ErrnoStatus("read the value file", text::Quoted(path));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return CheckSize(std::move(data), text::Quoted(path));
}

}  // namespace journaldb::cli
