#include "journaldb/engine/checkpoint.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <rocksdb/utilities/checkpoint.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "db_impl.h"

namespace journaldb {

Status CreateCheckpoint(const Database& db, const std::string& target_dir) {
  const auto* impl = dynamic_cast<const DatabaseImpl*>(&db);
  if (impl == nullptr)
    return Status::InvalidArgument("checkpoint: not a database opened by journaldb");
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(impl->store().db(), &raw);
  if (!s.ok()) return FromRocks(s, fmt::format("checkpoint {}", db.path()));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush = 0: flush the memtables first, so the checkpoint holds
  // SST files only and needs no WAL replay to open.
  s = checkpoint->CreateCheckpoint(target_dir, /*log_size_for_flush=*/0);
  return FromRocks(s, fmt::format("checkpoint {} into {}", db.path(), target_dir));
}

namespace {

Status WriteAndSync(const std::string& path, int flags, std::string_view text) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0444);
  bool ok = fd >= 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int err = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) return Status::IOError(fmt::format("write {}: {}", path, std::strerror(err)));
  return Status::OK();
}

}  // namespace

Status MarkReadOnlyCopy(const std::string& db_dir) {
  const std::string marker = db_dir + "/" + kReadOnlyCopyMarker;
  // Read by people who look into the directory; Open only checks it exists.
  if (Status s = WriteAndSync(marker, O_WRONLY | O_CREAT | O_TRUNC,
                              "This database is the copy held by a recovery snapshot and is "
                              "read-only.\n");
      !s.ok())
    return s;
  return WriteAndSync(db_dir, O_RDONLY | O_DIRECTORY, {});
}

}  // namespace journaldb
