// ByteBudget: a process-wide cap on bytes held for one purpose (the server's
// frames in flight: frames being read and replies being sent), shared by
// many threads. A Lease takes bytes from it as a buffer grows and gives them
// back when it is destroyed. A holder of bytes it can give up on demand (the
// server's reply cache) is the budget's reclaimer: asked once when a Grow
// does not fit.
//
//   ByteBudget budget(256u << 20);
//   ByteBudget::Lease lease(&budget);
//   if (!lease.Grow(64 << 10)) return Status::Busy("...");
//
// Thread safety: a ByteBudget is shared freely (SetReclaimer before that); a
// Lease is used by one thread at a time.
#ifndef JOURNALDB_PROTOCOL_BYTE_BUDGET_H_
#define JOURNALDB_PROTOCOL_BYTE_BUDGET_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <utility>

namespace journaldb::sync {

class ByteBudget {
 public:
  explicit ByteBudget(size_t limit) : limit_(limit) {}
  size_t limit() const { return limit_; }
  size_t in_use() const { return in_use_.load(std::memory_order_relaxed); }

  // Called, on the thread of a Grow that does not fit, before that Grow is
  // tried once more: it gives back what bytes it can. It must not Grow a
  // lease of this budget itself. REQUIRES: before the budget is shared.
  void SetReclaimer(std::function<void()> reclaim) { reclaim_ = std::move(reclaim); }

  class Lease {
   public:
    // A lease on nothing when `budget` is null: every Grow succeeds.
    explicit Lease(ByteBudget* budget = nullptr) : budget_(budget) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { Reset(); }

    // Takes `more` bytes; false (and nothing taken) if the budget has not
    // that many left, even after its reclaimer gave back what it could.
    bool Grow(size_t more) {
      if (budget_ == nullptr) return true;
      if (!budget_->Take(more)) {
        if (!budget_->reclaim_) return false;
        budget_->reclaim_();
        if (!budget_->Take(more)) return false;
      }
      held_ += more;
      return true;
    }
    // Gives back `less` bytes of those held (all of them if it held fewer).
    void Shrink(size_t less) {
      less = std::min(less, held_);
      if (budget_ != nullptr) budget_->in_use_.fetch_sub(less);
      held_ -= less;
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
  bool Take(size_t more) {
    size_t used = in_use_.load(std::memory_order_relaxed);
    do {
      if (more > limit_ - used) return false;
    } while (!in_use_.compare_exchange_weak(used, used + more));
    return true;
  }

  const size_t limit_;
  std::atomic<size_t> in_use_{0};
  std::function<void()> reclaim_;
};

}  // namespace journaldb::sync

#endif  // JOURNALDB_PROTOCOL_BYTE_BUDGET_H_
