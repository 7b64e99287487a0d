#include "core/event_totals.h"

#include <cctype>

#include "common/strings.h"
#include "core/event_hooks.h"

namespace tandem::core {

std::string ThrottleReasonKind(const std::string& reason) {
  std::string kind;
  for (char c : reason) {
    if (std::isdigit(static_cast<unsigned char>(c)) || c == ':' || c == '(') break;
    kind += c;
  }
  std::string trimmed = Trim(kind);
  return trimmed.empty() ? "unspecified" : trimmed;
}

EventTotals TotalsOf(const std::vector<RecordedEvent>& events) {
  EventTotals totals;
  for (const auto& recorded : events) {
    const Event& e = recorded.event;
    // A released throttle's event carries how long it held.
    if (e.kind == "throttle" && e.outcome == "ok") {
      totals.throttle_seconds[ThrottleReasonKind(e.detail)] += e.duration_ms / 1000;
    } else if (e.kind == "retry") {
      ++totals.step_retries[e.phase];
    } else if (e.kind == kHookEventKind) {
      ++totals.hook_failures;
    }
  }
  return totals;
}

}  // namespace tandem::core
