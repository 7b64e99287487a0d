#include "observe/window.h"

#include <algorithm>
#include <cstdio>
#include <thread>

namespace tandem::observe {
namespace {

constexpr Millis kNap{100};  // how often a sleeping window looks at `stop`
constexpr Millis kShortest{1000};
constexpr Millis kLongest{10000};
// Below this many milliseconds of mean statement time a doubling is noise:
// the latency threshold is at least this far above the baseline.
constexpr double kLatencyFloorMs = 5;

double Seconds(Millis duration) { return static_cast<double>(duration.count()) / 1000.0; }

std::string Number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", value);
  return buf;
}

Reading Against(std::string name, std::optional<double> value, double threshold, std::string what) {
  bool ok = !value || *value <= threshold;
  std::string note =
      ok ? what : name + " " + Number(*value) + " > " + Number(threshold) + " (" + what + ")";
  return {.name = std::move(name), .value = value, .threshold = threshold, .ok = ok, .note = note};
}

}  // namespace

Millis DefaultSampleEvery(Millis length) { return std::clamp(length / 30, kShortest, kLongest); }

Millis BaselineLength(Millis length) { return std::clamp(length / 10, kShortest, kLongest); }

Window::Window(WindowPlan plan, std::unique_ptr<EngineSignals> signals,
               std::vector<std::unique_ptr<UserProbe>> probes, WindowHooks hooks)
    : plan_(std::move(plan)),
      signals_(std::move(signals)),
      probes_(std::move(probes)),
      hooks_(std::move(hooks)) {
  if (!hooks_.sleep) hooks_.sleep = [](Millis d) { std::this_thread::sleep_for(d); };
}

Window::~Window() = default;

bool Window::Stopped() const {
  return (hooks_.stop && *hooks_.stop) || (hooks_.stop_at && hooks_.now() >= *hooks_.stop_at);
}

bool Window::Nap(Millis duration) {
  for (Millis slept{0}; slept < duration; slept += kNap) {
    if (Stopped()) return false;
    hooks_.sleep(std::min(kNap, duration - slept));
  }
  return !Stopped();
}

Status Window::CaptureBaseline(const std::function<void(const std::string&)>& noted) {
  for (auto& probe : probes_) {
    Result<Reading> reading = probe->Read();
    if (!reading.ok()) {
      return Status::InvalidInput(reading.status().message() +
                                  "; the switch did not happen. Fix the probe in the file's "
                                  "`switch:` section and run `tandem switch` again");
    }
  }
  if (!signals_) return Status::Ok();
  auto started = hooks_.now();
  TANDEM_ASSIGN_OR_RETURN(Counters first, signals_->Take());
  for (const auto& gap : signals_->Gaps()) noted(gap);
  if (!Nap(BaselineLength(plan_.length))) {
    return Status::Error(ErrorKind::kInterrupted,
                         "interrupted while measuring the baseline; the switch did not happen");
  }
  TANDEM_ASSIGN_OR_RETURN(Counters second, signals_->Take());
  double elapsed_s =
      std::max(0.001, Seconds(std::chrono::duration_cast<Millis>(hooks_.now() - started)));
  base_rollback_rate_ = (second.rollbacks - first.rollbacks) / elapsed_s;
  base_deadlock_rate_ = (second.deadlocks - first.deadlocks) / elapsed_s;
  base_lock_waits_ = std::max(first.lock_waits, second.lock_waits);
  if (second.calls && second.exec_ms && *second.calls > 0) {
    base_mean_ms_ = *second.exec_ms / *second.calls;
  }
  return Status::Ok();
}

std::vector<Reading> Window::EngineReadings(const Counters& now, double elapsed_s) {
  const Allowances& allow = plan_.allowances;
  std::vector<Reading> readings;
  double seconds = std::max(elapsed_s, 0.001);
  readings.push_back(
      Against("rollback_rate", (now.rollbacks - start_.rollbacks) / seconds,
              base_rollback_rate_ + allow.rollback_rate,
              "transactions rolled back per second; baseline " + Number(base_rollback_rate_)));
  readings.push_back(Against("deadlocks", now.deadlocks - start_.deadlocks,
                             base_deadlock_rate_ * seconds + allow.deadlocks,
                             "deadlocks during the window"));
  most_lock_waits_ = std::max(most_lock_waits_, now.lock_waits);
  readings.push_back(
      Against("lock_waits", most_lock_waits_, base_lock_waits_ + allow.lock_waits,
              "most sessions waiting for a lock at once; baseline " + Number(base_lock_waits_)));
  if (now.calls && start_.calls && base_mean_ms_) {
    double calls = *now.calls - *start_.calls;
    std::optional<double> mean;
    if (calls > 0) mean = (*now.exec_ms - *start_.exec_ms) / calls;
    double threshold =
        std::max(*base_mean_ms_ * allow.latency_ratio, *base_mean_ms_ + kLatencyFloorMs);
    readings.push_back(Against("statement_mean_ms", mean, threshold,
                               "mean time of statements on the migrated tables; baseline " +
                                   Number(*base_mean_ms_) + " ms"));
  }
  return readings;
}

std::vector<Reading> Window::Sample(double elapsed_s, std::string* breach) {
  std::vector<Reading> readings;
  if (signals_) {
    Result<Counters> now = signals_->Take();
    if (now.ok()) {
      readings = EngineReadings(*now, elapsed_s);
    } else {
      readings.push_back(
          {.name = "engine",
           .ok = false,
           .note = "cannot read the database's statistics: " + now.status().message()});
    }
  }
  for (auto& probe : probes_) {
    Result<Reading> reading = probe->Read();
    if (reading.ok()) {
      readings.push_back(*reading);
    } else {
      readings.push_back({.name = "probe", .ok = false, .note = reading.status().message()});
    }
  }
  for (const auto& r : readings) {
    if (!r.ok && breach->empty()) *breach = r.note;
  }
  return readings;
}

Outcome Window::Observe() {
  Outcome outcome;
  auto started = hooks_.now();
  auto elapsed = [&] { return std::chrono::duration_cast<Millis>(hooks_.now() - started); };
  if (signals_) {
    Result<Counters> start = signals_->Take();
    if (start.ok()) start_ = *start;
  }
  size_t step = 0;
  auto ramp_due = [&] {
    return step < plan_.ramp.size() && elapsed() >= plan_.step_every * static_cast<long long>(step);
  };
  while (true) {
    std::string breach;
    while (breach.empty() && ramp_due()) {
      Status set = hooks_.ramp_to(plan_.ramp[step]);
      if (!set.ok())
        breach = "the ramp could not set its flag: " + set.message();
      else
        outcome.ramp_reached = plan_.ramp[step++];
    }
    if (breach.empty()) {
      outcome.readings = Sample(Seconds(elapsed()), &breach);
      hooks_.sampled(elapsed(), outcome.readings);
    }
    outcome.elapsed = elapsed();
    if (!breach.empty()) {
      outcome.reason = breach;
      if (!plan_.ramp.empty()) (void)hooks_.ramp_to(0);
      return outcome;
    }
    if (outcome.elapsed >= plan_.length) break;
    Millis next = std::min(plan_.sample_every, plan_.length - outcome.elapsed);
    if (!Nap(std::max(next, Millis{1}))) {
      outcome.interrupted = true;
      outcome.reason = "interrupted after " + FormatDuration(elapsed()) + " of " +
                       FormatDuration(plan_.length) + "; the window is not clean";
      return outcome;
    }
  }
  outcome.clean = true;
  outcome.reason = "every signal stayed within its threshold for " + FormatDuration(plan_.length);
  return outcome;
}

}  // namespace tandem::observe
