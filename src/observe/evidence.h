// The observation window as the event log holds it. A finished window is an
// event {phase "switch", kind "observe", outcome "ok" (clean) or "failed"}
// whose detail is a JSON object:
//   {"window_s": 1800, "elapsed_s": 1800, "signals": [{"name", "value",
//    "threshold", "ok", "note"}], "reason": "...", "ramp_reached": "100%"}
// Other features (readiness gates) read these events: keep the keys.
// While a window runs, each sample is an event of kind "observing" with the
// same detail plus "ends_at_unix" (seconds), for `status` in any process.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "observe/window.h"

namespace tandem::observe {

inline constexpr char kObserveKind[] = "observe";
inline constexpr char kObservingKind[] = "observing";

std::string OutcomeJson(const Outcome& outcome, Millis length);
// A sample's detail: `elapsed` of `length`, ending at `ends_at_unix`.
std::string SampleJson(const std::vector<Reading>& readings, Millis elapsed, Millis length,
                       long long ends_at_unix);

// What `status` shows of a window, read back from an event's detail.
struct WindowView {
  double window_s = 0;
  double elapsed_s = 0;
  std::optional<long long> ends_at_unix;  // while it runs
  std::vector<Reading> signals;
  std::string reason;
};

// kInternal naming the text when it is not a window's detail.
Result<WindowView> ReadWindowDetail(const std::string& detail);

}  // namespace tandem::observe
