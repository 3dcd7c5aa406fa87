// ByteBudget: a process-wide cap on bytes held for one purpose (the server's
// frames in flight), shared by many threads. A Lease takes bytes from it as a
// buffer grows and gives them back when it is destroyed.
//
//   ByteBudget budget(256u << 20);
//   ByteBudget::Lease lease(&budget);
//   if (!lease.Grow(64 << 10)) return Status::Busy("...");
//
// Thread safety: a ByteBudget is shared freely; a Lease belongs to one thread.
#ifndef JOURNALDB_PROTOCOL_BYTE_BUDGET_H_
#define JOURNALDB_PROTOCOL_BYTE_BUDGET_H_

#include <atomic>
#include <cstddef>

namespace journaldb::sync {

class ByteBudget {
 public:
  explicit ByteBudget(size_t limit) : limit_(limit) {}
  size_t limit() const { return limit_; }
  size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

  class Lease {
   public:
    // A lease on nothing when `budget` is null: every Grow succeeds.
    explicit Lease(ByteBudget* budget = nullptr) : budget_(budget) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { Reset(); }

    // Takes `more` bytes; false (and nothing taken) if the budget has not
    // that many left.
    bool Grow(size_t more) {
      if (budget_ == nullptr) return true;
      size_t used = budget_->in_use_.load(std::memory_order_relaxed);
      do {
        if (more > budget_->limit_ - used) return false;
      } while (!budget_->in_use_.compare_exchange_weak(used, used + more));
      held_ += more;
      return true;
    }
    // Gives back everything held; the lease can grow again.
    void Reset() {
      if (budget_ != nullptr) budget_->in_use_.fetch_sub(held_);
      held_ = 0;
    }
    size_t held() const { return held_; }

   private:
    ByteBudget* budget_;
    size_t held_ = 0;
  };

 private:
  const size_t limit_;
  std::atomic<size_t> in_use_{0};
};

}  // namespace journaldb::sync

#endif  // JOURNALDB_PROTOCOL_BYTE_BUDGET_H_
