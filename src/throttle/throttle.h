// Holds the backfill back while the database needs relief: replica lag,
// load, a user probe, a rate cap, a daily time window; and stops it after
// --backfill-max-runtime. Asked before every chunk through Options::control.
//
// Probes that talk to a database are cached for a second, so asking before
// each chunk costs nothing most of the time. A probe that cannot measure
// (replica unreachable, query fails) throttles with that reason: the
// throttle fails closed. Thread-safe: workers may ask concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backfill/types.h"
#include "common/time_window.h"
#include "plan/migration.h"
#include "throttle/rate_cap.h"

namespace tandem::backfill {

inline constexpr Millis kDefaultMaxReplicaLag{5000};
// The name of the probes that measure replica lag (Probe::Name).
inline constexpr char kReplicaLagProbe[] = "replica lag";

// The settings in force, after the command line was laid over the file.
struct ThrottleConfig {
  Millis max_replica_lag = kDefaultMaxReplicaLag;  // 0: off
  std::vector<std::string> replicas;
  std::optional<int> max_active_sessions;
  std::optional<int> max_lock_waiters;
  std::string throttle_query;
  double throttle_above = 0;
  std::optional<double> max_rows_per_second;
  std::optional<TimeWindow> window;
  std::optional<Millis> max_runtime;
};

// A change to a running backfill's throttle (the control API's POST
// /api/v1/throttle): each field given replaces the setting in force, the
// others stay. Like `tandem pause`, it holds for the migration's backfill,
// later runs included, over the file and the flags.
struct ThrottleChange {
  std::optional<double> max_rows_per_second;  // 0 lifts the cap
  // The replica lag at which the backfill waits; 0 stops waiting for it.
  // It changes the limit of the replica lag probes in force: where the run
  // started with --max-replica-lag 0 there are none to change.
  std::optional<Millis> max_replica_lag;

  bool empty() const { return !max_rows_per_second && !max_replica_lag; }
};

// Checks settings given as flags (kInvalidInput naming the flag), so a bad
// flag is refused before anything runs. The reader checks the file's.
Status ValidateThrottleFlags(const plan::ThrottleSettings& flags);
// `flags` wins over `file`, field by field; --throttle-query comes with its
// --throttle-above from the same source.
Result<ThrottleConfig> ResolveThrottle(const plan::ThrottleSettings& flags,
                                       const plan::ThrottleSettings& file);

// The decision that must win: stop over pause over throttle over continue;
// the first of equals.
Decision Strongest(const std::vector<Decision>& decisions);

// One check against a database. Returns kContinue, or kThrottle with a
// reason; when it cannot measure, kThrottle saying why (fail closed).
class Probe {
 public:
  virtual ~Probe() = default;
  virtual Decision Check() = 0;
  // Which throttle this is, e.g. "replica lag", for the events log.
  virtual std::string Name() const = 0;
  // What the last Check measured, in its unit (replica lag: milliseconds,
  // the worst standby's); nullopt when it could not measure or measures
  // nothing worth showing. Alerts read it instead of measuring again.
  virtual std::optional<double> MeasuredMs() const { return std::nullopt; }
};

// A decision and the throttle that made it ("window", "rate cap", a probe's
// Name(); empty for kContinue).
struct Verdict {
  Decision decision;
  std::string by;
};

// Where the throttle's time comes from; tests replace it.
struct ThrottleTime {
  std::function<std::chrono::steady_clock::time_point()> now = [] {
    return std::chrono::steady_clock::now();
  };
  std::function<int()> local_minute_of_day = [] { return LocalMinuteOfDay(); };
};

class Throttle {
 public:
  using Clock = std::chrono::steady_clock;
  using TimeSource = ThrottleTime;
  static constexpr Millis kProbeInterval{1000};

  Throttle(ThrottleConfig config, std::vector<std::unique_ptr<Probe>> probes,
           TimeSource time = TimeSource());
  ~Throttle();

  // kStop once --backfill-max-runtime has passed; else kThrottle while outside the
  // window, over the rate cap or while a probe says so; else kContinue.
  Verdict Judge();
  Decision Decide() { return Judge().decision; }
  // Rows the backfill has just done, for the rate cap.
  void RowsDone(long long rows);
  // Applies `change` from now on (a new rate cap starts with a full bucket).
  void Apply(const ThrottleChange& change);
  // The worst value the probes named `name` measured at their last check
  // (e.g. "replica lag", in ms); nullopt when none measured.
  std::optional<double> LastMeasured(const std::string& name);

 private:
  struct Cached {
    std::optional<Clock::time_point> at;
    Decision decision;
  };
  std::optional<Decision> WindowDecision() const;
  std::optional<Decision> RateDecision(Clock::time_point now);

  const ThrottleConfig config_;
  std::vector<std::unique_ptr<Probe>> probes_;
  TimeSource time_;
  Clock::time_point started_;
  // The probe's own decision, or the one its measurement gives under a
  // replica lag limit changed by Apply.
  Decision ProbeDecision(const Probe& probe, const Decision& checked) const;

  std::optional<RateCap> rate_;
  std::optional<Millis> changed_max_lag_;
  std::vector<Cached> cached_;
  std::mutex mutex_;
};

// Opens a session with the primary (the database being migrated).
using Connector = std::function<Result<std::unique_ptr<backend::Connection>>()>;
// Opens a session with the replica at a connection string.
using ReplicaConnector =
    std::function<Result<std::unique_ptr<backend::Connection>>(const std::string& url)>;

// A Throttle whose probes ask the primary (pg_stat_replication, load, the
// user's query) and each replica of `config` on sessions of their own.
std::unique_ptr<Throttle> MakeThrottle(const ThrottleConfig& config, Connector primary,
                                       ReplicaConnector replica);

}  // namespace tandem::backfill
