// The observation window of the read switch: a baseline of the engine's
// counters taken before the switch, then samples until the window ends or a
// signal breaches, and the flag ramp's steps on the way.
//
// Not thread-safe; one window at a time. The clock and the sleep are
// injected so that tests run a window in no time.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "observe/types.h"

namespace tandem::observe {

struct WindowPlan {
  Millis length{0};
  Millis sample_every{1000};
  Allowances allowances;
  // The flag ramp, in basis points, one step every `step_every` from the
  // window's start; empty for none.
  std::vector<int> ramp;
  Millis step_every{0};
};

// How a window ended, for the evidence (evidence.h).
struct Outcome {
  bool clean = false;
  bool interrupted = false;
  Millis elapsed{0};
  std::vector<Reading> readings;  // the last sample's, or the breaching one's
  std::string reason;
  int ramp_reached = 0;  // the share (basis points) the ramp got to
};

struct WindowHooks {
  using Clock = std::chrono::steady_clock;
  // After each sample: `elapsed` of the window and the readings.
  std::function<void(Millis elapsed, const std::vector<Reading>&)> sampled = [](Millis,
                                                                                const auto&) {};
  // Sets the ramp's flag; an error breaches the window.
  std::function<Status(int basis_points)> ramp_to = [](int) { return Status::Ok(); };
  const std::atomic<bool>* stop = nullptr;
  // Stops the window like `stop` once `now()` reaches it (a time limit).
  std::optional<Clock::time_point> stop_at;
  std::function<Clock::time_point()> now = [] { return Clock::now(); };
  std::function<void(Millis)> sleep;  // default: std::this_thread::sleep_for
};

// The window's default sampling interval: a thirtieth of it, between 1s and 10s.
Millis DefaultSampleEvery(Millis length);
// How long the baseline is measured before the switch: a tenth of the
// window, between 1s and 10s.
Millis BaselineLength(Millis length);

class Window {
 public:
  // `signals` may be null (an engine with no statistics: SQLite).
  Window(WindowPlan plan, std::unique_ptr<EngineSignals> signals,
         std::vector<std::unique_ptr<UserProbe>> probes, WindowHooks hooks = {});
  ~Window();

  // Reads every probe once and the engine's counters over BaselineLength:
  // kInvalidInput naming the probe when one cannot measure (before the
  // switch, so nothing changes). `noted` hears what is not watched.
  Status CaptureBaseline(const std::function<void(const std::string&)>& noted);
  // Samples until the window ends, a signal breaches, or `stop`. Call right
  // after the switch.
  Outcome Observe();
  Millis length() const { return plan_.length; }

 private:
  std::vector<Reading> EngineReadings(const Counters& now, double elapsed_s);
  std::vector<Reading> Sample(double elapsed_s, std::string* breach);
  // Sleeps `duration` in short naps; false when stopped meanwhile.
  bool Nap(Millis duration);
  // `stop` is set or `stop_at` has come.
  bool Stopped() const;

  WindowPlan plan_;
  std::unique_ptr<EngineSignals> signals_;
  std::vector<std::unique_ptr<UserProbe>> probes_;
  WindowHooks hooks_;
  // Baseline rates per second, the most lock waits seen, the mean latency.
  double base_rollback_rate_ = 0;
  double base_deadlock_rate_ = 0;
  double base_lock_waits_ = 0;
  std::optional<double> base_mean_ms_;
  Counters start_;  // at the window's start
  double most_lock_waits_ = 0;
};

}  // namespace tandem::observe
