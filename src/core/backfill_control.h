// What the backfill asks before each chunk (backfill::Options::control):
// stop after a signal, wait while paused (`tandem pause`, kept in the state
// store so any process can set it), and whatever the throttle decides. Each
// time the throttle starts or stops holding the backfill is recorded as an
// event of the migration, so `tandem status` and the events table show it.
//
// Once a second it also calls `keep_sessions` (the runner's: it opens its
// sessions again after a server restart and takes the runner lock back).
// While that fails the backfill waits, naming why; it stops (resumably)
// when another runner took the lock, or when the database stays
// unreachable for longer than the reconnect window.
//
// Thread-safe: the backfill's workers may ask concurrently. Uses the state
// store's connection only between chunks.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "backfill/types.h"
#include "core/alerts.h"
#include "core/run_deadline.h"
#include "core/state_store.h"
#include "throttle/throttle.h"

namespace tandem::core {

// verify::Options::before_chunk for scans that obey `throttle`: waits while
// it holds (telling `note` the reason when it changes), and fails with
// kInterrupted on its kStop (--backfill-max-runtime) or after a signal. Thread-safe.
// It also fails once `deadline` (the whole migration's limit) has passed,
// while the throttle holds too.
std::function<Status()> ScanGate(backfill::Throttle& throttle,
                                 const std::atomic<bool>* stop_requested,
                                 std::function<void(const std::string&)> note,
                                 std::optional<RunDeadline> deadline = std::nullopt);

// Whether `newest`, the newest throttle event of a backfill, says a
// throttle holds it right now (it started and has not been released).
bool ThrottleHolds(const RecordedEvent& newest);

class BackfillControl {
 public:
  BackfillControl(StateStore& state, long long migration_id,
                  const std::atomic<bool>* stop_requested,
                  std::unique_ptr<backfill::Throttle> throttle,
                  std::function<Status()> keep_sessions,
                  Millis reconnect_window = backfill::kDefaultReconnectWindow);
  // Records a throttle that still holds as released: the backfill is over.
  ~BackfillControl();

  // From now on Decide says kStop once `deadline` (the whole migration's
  // limit) has passed.
  void StopAt(std::optional<RunDeadline> deadline) { deadline_ = std::move(deadline); }

  backfill::Decision Decide();
  // Feeds the rows of a finished chunk to the rate cap.
  void ChunkDone(long long rows);
  // Polls `alerts` with the pause flag (between chunks); its events are
  // recorded in the migration's log. Call before the backfill starts.
  void WatchAlerts(std::unique_ptr<AlertWatch> alerts) { alerts_ = std::move(alerts); }

 private:
  using Clock = std::chrono::steady_clock;
  bool Paused();
  // Applies the newest throttle change of the migration when it is new to
  // this run (core/throttle_change.h): like the pause flag, a change holds
  // for the migration's backfill, later runs included.
  void FollowThrottleChanges();
  // The once-a-second look at the sessions; kContinue while they answer.
  backfill::Decision Sessions();
  void NoteThrottle(const backfill::Verdict& verdict);

  StateStore& state_;
  const long long migration_id_;
  const std::atomic<bool>* stop_requested_;
  std::unique_ptr<backfill::Throttle> throttle_;
  std::function<Status()> keep_sessions_;
  Millis reconnect_window_;
  std::optional<RunDeadline> deadline_;
  std::mutex mutex_;
  Clock::time_point pause_asked_at_;
  bool paused_ = false;
  backfill::Decision sessions_;
  std::optional<Clock::time_point> unreachable_since_;
  // The throttle that holds the backfill ("window", "replica lag"...) and
  // its reason when it began holding; empty while none holds.
  std::string throttled_by_;
  std::string throttled_reason_;
  Clock::time_point throttled_since_;
  // The id of the newest throttle change applied.
  std::optional<long long> throttle_change_seen_;
  // After the throttle: it reads the throttle's measurements.
  std::unique_ptr<AlertWatch> alerts_;
};

}  // namespace tandem::core
