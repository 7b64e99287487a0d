// The file's alert thresholds (`alerts:`) as events: while a long-running
// command runs (a backfill, switch's observation window), the database's
// error rate and the replica lag are sampled, and crossing a threshold
// records ONE event of kind "alert" (outcome "fired"), coming back under it
// one more (outcome "cleared"), never one per sample. Being events, alerts
// reach the hooks, the event stream and /metrics like every other.
//
// The error rate is the share of transactions rolled back between two
// samples of the engine's counters (observe::EngineSignals, the observation
// window's); the replica lag is what the throttle's probe last measured.
// SQLite has neither: no watch is made there.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/state_store.h"
#include "observe/types.h"
#include "plan/migration.h"

namespace tandem::core {

inline constexpr char kAlertKind[] = "alert";
inline constexpr char kErrorRateAlert[] = "error_rate";
inline constexpr char kReplicaLagAlert[] = "replica_lag";
// How often the signals are sampled: long enough for the server's counters
// to move (PostgreSQL flushes them about once a second).
inline constexpr Millis kAlertSampleInterval{2000};

// A threshold in the unit its metric has: error_rate in percent,
// replica_lag in seconds.
struct AlertThreshold {
  std::string name{};
  double threshold = 0;
};

// The thresholds `settings` sets, error_rate first.
std::vector<AlertThreshold> AlertThresholds(const plan::Settings& settings);

// Percent of the transactions that ended between `before` and `after` that
// were rolled back; nullopt when none ended (nothing to judge).
std::optional<double> ErrorRatePercent(const observe::Counters& before,
                                       const observe::Counters& after);

// An alert as read back from the event log, for status and /metrics.
struct AlertState {
  std::string name{};
  double threshold = 0;
  bool firing = false;
  std::optional<double> value{};  // as of the newest alert event, if any
};

// The state of each of `thresholds` after `events` (a migration's log,
// oldest first): firing when its newest alert event says "fired".
std::vector<AlertState> AlertStates(const std::vector<AlertThreshold>& thresholds,
                                    const std::vector<RecordedEvent>& events);

// Decides when an alert changes. Pure and not thread-safe.
class AlertTracker {
 public:
  explicit AlertTracker(std::vector<AlertThreshold> thresholds);
  // Starts `name` as firing: the log says it fired and never cleared (an
  // earlier command's alert), so a value still above does not fire again.
  void AssumeFiring(const std::string& name);
  // The event to record for `value` of alert `name`, when it crosses its
  // threshold either way; nothing for no value (nothing measured) or for
  // an alert without a threshold.
  std::optional<Event> Observe(const std::string& name, std::optional<double> value,
                               const std::string& phase);

 private:
  std::map<std::string, double> thresholds_;
  std::map<std::string, bool> firing_;
};

// Samples the signals at most once per interval and records the alerts'
// changes through `record`. Not thread-safe: call Poll from one place (the
// backfill's control, the window's sampling), which serializes it.
class AlertWatch {
 public:
  // Records the change of alert `name` (a change another process already
  // recorded may be skipped).
  using Record = std::function<void(const std::string& name, const Event&)>;
  struct Sources {
    std::unique_ptr<observe::EngineSignals> signals;        // null: no error rate
    std::function<std::optional<double>()> replica_lag_ms;  // empty: no lag
  };

  AlertWatch(std::vector<AlertThreshold> thresholds, const std::vector<RecordedEvent>& events,
             Sources sources, std::string phase, Record record,
             Millis interval = kAlertSampleInterval);
  void Poll();

 private:
  using Clock = std::chrono::steady_clock;
  std::optional<double> SampleErrorRate();

  AlertTracker tracker_;
  Sources sources_;
  std::string phase_;
  Record record_;
  Millis interval_;
  std::optional<Clock::time_point> sampled_at_;
  std::optional<observe::Counters> last_counters_;
};

}  // namespace tandem::core
