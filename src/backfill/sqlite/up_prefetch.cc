#include "backfill/sqlite/up_prefetch.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <variant>

#include "backfill/backoff.h"

namespace tandem::backfill {
namespace {

constexpr int kReaderNice = 10;

std::vector<backend::Value> Range(long long after, long long upto) {
  return {std::to_string(after), std::to_string(upto)};
}

}  // namespace

UpPrefetch::UpPrefetch(UpQueries queries, long long after, long long end, const Options& options)
    : queries_(std::move(queries)), end_(end), options_(options), next_after_(after) {}

Result<std::unique_ptr<UpPrefetch>> UpPrefetch::Start(const Connector& connect, int readers,
                                                      UpQueries queries, long long after,
                                                      long long end, const Options& options) {
  std::unique_ptr<UpPrefetch> prefetch(new UpPrefetch(std::move(queries), after, end, options));
  for (int i = 0; i < std::max(1, readers); ++i) {
    TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Connection> conn, connect());
    // A reader only ever reads: a bug here must not write the table.
    TANDEM_RETURN_IF_ERROR(conn->Execute("PRAGMA query_only = ON"));
    prefetch->connections_.push_back(std::move(conn));
  }
  prefetch->running_ = static_cast<int>(prefetch->connections_.size());
  for (auto& conn : prefetch->connections_) {
    prefetch->threads_.emplace_back([p = prefetch.get(), c = conn.get()] { p->Run(*c); });
  }
  return prefetch;
}

UpPrefetch::~UpPrefetch() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (auto& thread : threads_) thread.join();
}

bool UpPrefetch::Full() const { return done_rows_ >= kBufferRows; }

void UpPrefetch::Run(backend::Connection& conn) {
  // Readers are background work: on a machine the application shares, its
  // threads (and the backfill's writer, which holds the lock they wait
  // for) get the CPU first. Linux sets a nice value per thread; where that
  // fails the readers simply run at normal priority.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kReaderNice);
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return stopping_ || !Full(); });
      if (stopping_) break;
    }
    std::optional<Claim> claim = NextClaim(conn);
    if (!claim) break;
    Outcome outcome = Compute(conn, *claim);
    Deliver(claim->sequence, std::move(outcome));
  }
  std::lock_guard lock(mutex_);
  --running_;
  changed_.notify_all();
}

template <typename Fn>
auto UpPrefetch::WithRetries(const Fn& attempt) -> decltype(attempt()) {
  for (int number = 1;; ++number) {
    auto result = attempt();
    if (result.ok() || !result.status().retryable() || number >= options_.max_attempts) {
      return result;
    }
    SleepBeforeRetry(options_, number);
  }
}

std::optional<UpPrefetch::Claim> UpPrefetch::NextClaim(backend::Connection& conn) {
  std::lock_guard claim_lock(claim_mutex_);
  if (claimed_all_ || next_after_ >= end_) return std::nullopt;
  Claim claim{next_sequence_++, next_after_, end_};
  auto batch_end =
      WithRetries([&] { return conn.Query(queries_.batch_end, Range(claim.after, end_)); });
  if (!batch_end.ok()) {
    // Handed over in its turn, after the batches claimed before it.
    claimed_all_ = true;
    Deliver(claim.sequence, Outcome{{claim.after, claim.after, {}}, batch_end.status()});
    return std::nullopt;
  }
  if (auto upto = batch_end->Scalar()) claim.upto = std::stoll(*upto);
  next_after_ = claim.upto;
  return claim;
}

UpPrefetch::Outcome UpPrefetch::Compute(backend::Connection& conn, const Claim& claim) {
  auto rows = WithRetries(
      [&] { return conn.QueryTyped(queries_.compute, Range(claim.after, claim.upto)); });
  if (rows.ok()) return Outcome{{claim.after, claim.upto, std::move(*rows)}, std::nullopt};
  {
    std::lock_guard claim_lock(claim_mutex_);
    claimed_all_ = true;  // nothing after a failure is stored
  }
  if (rows.status().retryable() || rows.status().kind() == ErrorKind::kConnection) {
    return Outcome{{claim.after, claim.after, {}}, rows.status()};
  }
  return PinDownFailingRow(conn, claim, rows.status());
}

UpPrefetch::Outcome UpPrefetch::PinDownFailingRow(backend::Connection& conn, const Claim& claim,
                                                  Status failure) {
  Outcome outcome{{claim.after, claim.after, {}}, failure};
  for (;;) {
    auto next = conn.Query(queries_.first, Range(outcome.batch.upto, claim.upto));
    if (!next.ok() || !next->Scalar()) return outcome;  // the batch's own error stands
    long long rowid = std::stoll(*next->Scalar());
    auto row = conn.QueryTyped(queries_.compute, Range(rowid - 1, rowid));
    if (!row.ok()) {
      outcome.failure =
          row.status().WithContext("`up` failed on the row with rowid " + std::to_string(rowid));
      return outcome;
    }
    for (auto& r : *row) outcome.batch.rows.push_back(std::move(r));
    outcome.batch.upto = rowid;
  }
}

void UpPrefetch::Deliver(long long sequence, Outcome outcome) {
  {
    std::lock_guard lock(mutex_);
    done_rows_ += outcome.batch.rows.size();
    done_.emplace(sequence, std::move(outcome));
  }
  changed_.notify_all();
}

size_t UpPrefetch::RowsInOrder(bool& failure_in_order) const {
  size_t rows = 0;
  failure_in_order = false;
  for (long long next = next_to_take_;; ++next) {
    auto it = done_.find(next);
    if (it == done_.end()) break;
    rows += it->second.batch.rows.size();
    if (it->second.failure) {
      failure_in_order = true;
      break;
    }
  }
  return rows;
}

void UpPrefetch::WaitFor(size_t rows, Millis patience) {
  std::unique_lock lock(mutex_);
  // Only batches that follow the last one taken count: a later batch that
  // a faster reader finished cannot be taken before the one it follows.
  changed_.wait_for(lock, patience, [&] {
    bool failure_in_order = false;
    return RowsInOrder(failure_in_order) >= rows || failure_in_order || running_ == 0;
  });
}

Result<std::vector<ComputedBatch>> UpPrefetch::Take() {
  std::vector<ComputedBatch> taken;
  {
    std::lock_guard lock(mutex_);
    if (failure_) return *failure_;
    for (auto it = done_.find(next_to_take_); it != done_.end(); it = done_.find(next_to_take_)) {
      Outcome& outcome = it->second;
      done_rows_ -= outcome.batch.rows.size();
      if (!outcome.batch.rows.empty()) taken.push_back(std::move(outcome.batch));
      std::optional<Status> failure = std::move(outcome.failure);
      done_.erase(it);
      ++next_to_take_;
      if (failure) {
        failure_ = std::move(failure);
        break;
      }
    }
  }
  changed_.notify_all();
  if (taken.empty() && failure_) return *failure_;
  return taken;
}

bool UpPrefetch::Exhausted() {
  std::lock_guard lock(mutex_);
  return running_ == 0 && done_.empty() && !failure_;
}

}  // namespace tandem::backfill
