#include "journaldb/journal/info_log.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <utility>

#include "journaldb/journal/util/fd.h"

namespace journaldb {

namespace {

constexpr size_t kMaxLineBytes = 64 << 10;

class FileInfoLog final : public InfoLog {
 public:
  FileInfoLog(std::string dir, size_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}

  void Start() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_) return;
    started_ = true;
    Roll();
    std::string held = std::move(held_);
    if (!held.empty()) Write(held);
  }

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    // One line, built whole so it is one write: RocksDB's format, a
    // timestamp and the thread, then the message, up to 64 KiB as in
    // RocksDB's own logger (its statistics dumps take several KiB).
    struct timeval now {};
    ::gettimeofday(&now, nullptr);
    struct tm t {};
    ::localtime_r(&now.tv_sec, &t);
    char prefix[64];
    const int n =
        std::snprintf(prefix, sizeof prefix, "%04d/%02d/%02d-%02d:%02d:%02d.%06ld %lx ",
                      t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                      static_cast<long>(now.tv_usec), static_cast<unsigned long>(::gettid()));
    if (n < 0) return;
    std::string line(prefix, std::min(sizeof prefix - 1, static_cast<size_t>(n)));
    va_list again;
    va_copy(again, ap);
    char small[1024];
    const int m = std::vsnprintf(small, sizeof small, format, ap);
    if (m >= 0 && static_cast<size_t>(m) < sizeof small) {
      line.append(small, static_cast<size_t>(m));
    } else if (m > 0) {
      std::string big(std::min(static_cast<size_t>(m), kMaxLineBytes) + 1, '\0');
      const int k = std::vsnprintf(big.data(), big.size(), format, again);
      if (k > 0) line.append(big.data(), std::min(big.size() - 1, static_cast<size_t>(k)));
    }
    va_end(again);
    if (line.back() != '\n') line.push_back('\n');

    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) {
      if (held_.size() + line.size() <= max_bytes_) held_ += line;
      return;
    }
    Write(line);
  }

  size_t GetLogFileSize() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return size_;
  }

 private:
  // REQUIRES: mu_ held.
  void Write(const std::string& text) {
    if (!fd_.valid()) return;
    if (size_ + text.size() > max_bytes_) Roll();
    if (!fd_.valid()) return;
    // A short or failed write loses (part of) this text only: the log is
    // advisory, and nothing waits on it.
    const ssize_t w = ::write(fd_.get(), text.data(), text.size());
    if (w > 0) size_ += static_cast<size_t>(w);
  }

  // Keeps the previous LOG as LOG.old and opens an empty LOG; on failure the
  // log is off. REQUIRES: mu_ held.
  void Roll() {
    fd_ = util::Fd();
    const std::string log = dir_ + "/" + kInfoLogFile;
    (void)::rename(log.c_str(), (dir_ + "/" + kOldInfoLogFile).c_str());
    fd_ = util::Fd(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644));
    size_ = 0;
  }

  const std::string dir_;
  const size_t max_bytes_;
  mutable std::mutex mu_;
  bool started_ = false;
  std::string held_;  // lines logged before Start
  util::Fd fd_;
  size_t size_ = 0;
};

// RocksDB takes the database's LOCK first thing in its recovery, after
// logging its options: a successful LockFile is where the log may roll.
class StartLogAtLock final : public rocksdb::FileSystemWrapper {
 public:
  StartLogAtLock(const std::shared_ptr<rocksdb::FileSystem>& target, std::shared_ptr<InfoLog> log)
      : FileSystemWrapper(target), log_(std::move(log)) {}

  static const char* kClassName() { return "JournaldbStartLogAtLock"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus LockFile(const std::string& name, const rocksdb::IOOptions& options,
                             rocksdb::FileLock** lock, rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = FileSystemWrapper::LockFile(name, options, lock, dbg);
    if (s.ok()) log_->Start();
    return s;
  }

 private:
  const std::shared_ptr<InfoLog> log_;
};

}  // namespace

std::unique_ptr<rocksdb::Env> EnvStartingLogAtLock(std::shared_ptr<InfoLog> log) {
  return rocksdb::NewCompositeEnv(
      std::make_shared<StartLogAtLock>(rocksdb::FileSystem::Default(), std::move(log)));
}

std::shared_ptr<InfoLog> OpenInfoLog(const std::string& dir, size_t max_bytes) {
  return std::make_shared<FileInfoLog>(dir, max_bytes);
}

}  // namespace journaldb
