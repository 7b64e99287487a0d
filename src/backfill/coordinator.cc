#include "backfill/coordinator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace tandem::backfill {
namespace {

using Clock = Coordinator::Clock;

// How long a worker waits before asking again: a pause is a person's
// decision (seconds), a throttle the database's (sub-second).
constexpr Millis kPausePoll{1000};
constexpr Millis kThrottlePoll{250};
constexpr Millis kTurnPoll{100};

}  // namespace

Coordinator::Coordinator(const Options& options, std::deque<KeyRange> pending, Progress done,
                         int next_range_number)
    : options_(options),
      next_range_number_(next_range_number),
      queue_(std::move(pending)),
      governor_(options.concurrency, options.scale_up_after),
      base_(std::move(done)),
      started_(Clock::now()),
      gentle_until_(started_ + options.gentle_start) {}

std::optional<KeyRange> Coordinator::Take() {
  while (!stopping()) {
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) {
        // Nothing queued: wait for a busy worker to split its range off,
        // unless no one works any more.
        if (working_ == 0) return std::nullopt;
        split_wanted_ = working_ < governor_.limit();
      } else if (working_ < governor_.limit()) {
        KeyRange range = std::move(queue_.front());
        queue_.pop_front();
        working_ += 1;
        return range;
      }
    }
    Sleep(kTurnPoll);
  }
  return std::nullopt;
}

bool Coordinator::SplitWanted() const { return split_wanted_.load(); }

int Coordinator::NewRangeNumber() {
  std::lock_guard lock(mutex_);
  return next_range_number_++;
}

void Coordinator::AddRange(KeyRange range) {
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(range));
  split_wanted_ = false;
}

void Coordinator::Release() {
  std::lock_guard lock(mutex_);
  working_ -= 1;
}

Coordinator::Gate Coordinator::BeforeChunk() {
  while (!stopping()) {
    Decision decision;
    if (options_.control) {
      std::lock_guard lock(control_mutex_);
      decision = options_.control();
    }
    {
      std::lock_guard lock(mutex_);
      governor_.Observe(decision.control, Clock::now());
      paused_ = decision.control == Control::kPause;
      waiting_reason_ = decision.control == Control::kContinue ? "" : decision.reason;
      if (decision.control == Control::kStop) {
        stop_reason_ = decision.reason.empty() ? "on request" : decision.reason;
        stopping_ = true;
        break;
      }
      if (decision.control == Control::kContinue) {
        if (working_ <= governor_.limit()) return Gate::kGo;
        working_ -= 1;
        return Gate::kStepAside;
      }
    }
    Sleep(decision.control == Control::kPause ? kPausePoll : kThrottlePoll);
  }
  return Gate::kStop;
}

void Coordinator::StepAside(KeyRange range) {
  std::lock_guard lock(mutex_);
  queue_.push_front(std::move(range));
}

void Coordinator::ChunkDone(long long scanned, long long updated, int size) {
  scanned_ += scanned;
  updated_ += updated;
  since_vacuum_ += updated;
  chunks_ += 1;
  last_size_ = size;
  if (options_.chunk_done) options_.chunk_done(scanned);
}

void Coordinator::ChunkTook(Millis took) {
  std::lock_guard lock(chunk_times_mutex_);
  chunk_times_.Add(took);
  chunk_histogram_.Add(took);
}

void Coordinator::ObserveWaiters(long long waiters, Clock::time_point now) {
  if (waiters <= 0) return;
  Clock::rep until = (now + options_.contention_hold).time_since_epoch().count();
  if (contended_until_.exchange(until) < now.time_since_epoch().count()) {
    spdlog::info("the application waits on rows the backfill holds: chunks of {} ms for now",
                 TargetChunkTime(now).count());
  }
}

Millis Coordinator::TargetChunkTime(Clock::time_point now) const {
  if (now < gentle_until_ || now.time_since_epoch().count() < contended_until_.load()) {
    return std::min(options_.target_chunk_time, options_.contended_chunk_time);
  }
  return options_.target_chunk_time;
}

void Coordinator::Retried() { retries_ += 1; }

bool Coordinator::VacuumTurn() {
  if (vacuum_every_ <= 0 || since_vacuum_.load() < vacuum_every_) return false;
  if (vacuuming_.exchange(true)) return false;
  since_vacuum_ = 0;
  return true;
}

void Coordinator::VacuumDone() { vacuuming_ = false; }

void Coordinator::Fail(const Status& error) {
  std::lock_guard lock(mutex_);
  if (error_.ok()) error_ = error;
  stopping_ = true;
}

Status Coordinator::Outcome(const std::string& table) const {
  std::lock_guard lock(mutex_);
  if (!error_.ok()) return error_;
  if (!stop_reason_.empty()) {
    return Status::Error(ErrorKind::kInterrupted,
                         "backfill of " + table + " stopped (" + stop_reason_ + ") after " +
                             std::to_string(base_.rows_scanned + scanned_.load()) +
                             " rows; the rows done so far are kept. Run `tandem backfill` to "
                             "continue");
  }
  return Status::Ok();
}

Progress Coordinator::Snapshot() const {
  Progress p = base_;
  long long scanned = scanned_.load();
  p.rows_scanned += scanned;
  p.rows_updated += updated_.load();
  p.chunks += chunks_.load();
  p.retries = retries_.load();
  p.batch_size = last_size_.load();
  auto now = Clock::now();
  p.elapsed = std::chrono::duration_cast<Millis>(now - started_);
  EstimateRate(p, scanned);
  p.max_workers = options_.concurrency;
  bool short_target = TargetChunkTime(now) < options_.target_chunk_time;
  p.short_chunks = short_target && now.time_since_epoch().count() < contended_until_.load();
  p.gentle_start = short_target && !p.short_chunks;
  {
    std::lock_guard lock(chunk_times_mutex_);
    p.chunk_p99 = chunk_times_.P99();
    p.chunk_max = chunk_times_.Max();
    p.chunk_mean_ms = chunk_times_.MeanMs();
    p.chunk_histogram = chunk_histogram_;
  }
  std::lock_guard lock(mutex_);
  p.workers = working_;
  p.paused = paused_;
  p.waiting_reason = waiting_reason_;
  return p;
}

void Coordinator::Sleep(Millis total) const {
  constexpr Millis kStep{50};
  for (Millis slept{0}; slept < total && !stopping(); slept += kStep) {
    std::this_thread::sleep_for(kStep);
  }
}

}  // namespace tandem::backfill
