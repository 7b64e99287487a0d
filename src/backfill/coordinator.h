// What the workers of one table share: the queue of ranges left, the
// control decision (asked before every chunk, calls serialized), how many
// workers may work (Governor), the counters progress is made of, whose turn
// it is to vacuum, and the first error, which stops everyone after their
// current chunk. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "backfill/chunk_times.h"
#include "backfill/governor.h"
#include "backfill/key_range.h"
#include "backfill/types.h"

namespace tandem::backfill {

class Coordinator {
 public:
  using Clock = std::chrono::steady_clock;

  // `done` holds the rows of earlier runs, from the checkpoints; ranges
  // split off get numbers from `next_range_number` on.
  Coordinator(const Options& options, std::deque<KeyRange> pending, Progress done,
              int next_range_number = 0);

  // The next range for a worker, once fewer than the allowed number work;
  // nullopt when no range is left or the run stops. With the queue empty
  // while others work, it asks them to split their ranges and waits.
  std::optional<KeyRange> Take();
  // True when an idle worker waits for part of a busy one's range.
  bool SplitWanted() const;
  // A number for a range split off, which the worker stores (see
  // Worker::SplitOff) before it queues the range with AddRange.
  int NewRangeNumber();
  void AddRange(KeyRange range);
  // A worker finished (or gave up on) its range.
  void Release();

  enum class Gate { kGo, kStepAside, kStop };
  // Asked before every chunk: waits while paused or throttled; kStepAside
  // when more workers work than allowed (the worker gives its range back
  // with StepAside), kStop when the run stops.
  Gate BeforeChunk();
  void StepAside(KeyRange range);

  void ChunkDone(long long scanned, long long updated, int size);
  // How long a chunk took, for the percentiles in Snapshot.
  void ChunkTook(Millis took);
  // `waiters` sessions of the application wait on the backfill's row locks
  // (PgStatements::WaitersOnBackfill) at `now`.
  void ObserveWaiters(long long waiters, Clock::time_point now);
  // What chunks aim at: Options::contended_chunk_time while the application
  // waited on the backfill within contention_hold, else target_chunk_time.
  Millis TargetChunkTime(Clock::time_point now) const;
  void Retried();
  // True when this worker should VACUUM now (one at a time, every
  // `vacuum_every` rows written); it calls VacuumDone afterwards.
  bool VacuumTurn();
  void VacuumDone();

  // Stops the run with `error` (the first one wins).
  void Fail(const Status& error);
  bool stopping() const { return stopping_.load(); }
  // The first error, or the stop request as kInterrupted; Ok when neither.
  Status Outcome(const std::string& table) const;

  Progress Snapshot() const;
  void set_vacuum_every(long long rows) { vacuum_every_ = rows; }

 private:
  void Sleep(Millis total) const;

  const Options& options_;
  mutable std::mutex mutex_;
  std::mutex control_mutex_;
  int next_range_number_;
  std::deque<KeyRange> queue_;
  std::atomic<bool> split_wanted_{false};
  int working_ = 0;
  Governor governor_;
  std::string waiting_reason_;
  bool paused_ = false;
  std::string stop_reason_;
  Status error_;
  std::atomic<bool> stopping_{false};

  Progress base_;
  std::chrono::steady_clock::time_point started_;
  std::atomic<long long> scanned_{0};
  std::atomic<long long> updated_{0};
  std::atomic<int> chunks_{0};
  std::atomic<int> retries_{0};
  std::atomic<int> last_size_{0};
  std::atomic<Clock::rep> contended_until_{0};  // since the clock's epoch
  Clock::time_point gentle_until_;
  mutable std::mutex chunk_times_mutex_;
  ChunkTimes chunk_times_;  // bounded, however many chunks
  ChunkHistogram chunk_histogram_;

  long long vacuum_every_ = 0;
  std::atomic<long long> since_vacuum_{0};
  std::atomic<bool> vacuuming_{false};
};

}  // namespace tandem::backfill
