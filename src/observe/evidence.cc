#include "observe/evidence.h"

#include <nlohmann/json.hpp>

#include "common/flag_decision.h"

namespace tandem::observe {
namespace {

using json = nlohmann::json;

double Seconds(Millis duration) { return static_cast<double>(duration.count()) / 1000.0; }

json Optional(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

json Signals(const std::vector<Reading>& readings) {
  json signals = json::array();
  for (const auto& r : readings) {
    signals.push_back({{"name", r.name},
                       {"value", Optional(r.value)},
                       {"threshold", Optional(r.threshold)},
                       {"ok", r.ok},
                       {"note", r.note}});
  }
  return signals;
}

std::optional<double> OptionalNumber(const json& value) {
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

}  // namespace

std::string OutcomeJson(const Outcome& outcome, Millis length) {
  json detail = {{"window_s", Seconds(length)},
                 {"elapsed_s", Seconds(outcome.elapsed)},
                 {"signals", Signals(outcome.readings)},
                 {"reason", outcome.reason},
                 {"interrupted", outcome.interrupted},
                 {"ramp_reached", FormatFlagShare(outcome.ramp_reached)}};
  return detail.dump();
}

std::string SampleJson(const std::vector<Reading>& readings, Millis elapsed, Millis length,
                       long long ends_at_unix) {
  json detail = {{"window_s", Seconds(length)},
                 {"elapsed_s", Seconds(elapsed)},
                 {"ends_at_unix", ends_at_unix},
                 {"signals", Signals(readings)},
                 {"reason", ""}};
  return detail.dump();
}

Result<WindowView> ReadWindowDetail(const std::string& detail) {
  json parsed = json::parse(detail, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed["signals"].is_array()) {
    return Status::Internal("an observation window's event holds \"" + detail.substr(0, 80) +
                            "\", not its JSON detail; another program may have written it");
  }
  WindowView view;
  view.window_s = parsed.value("window_s", 0.0);
  view.elapsed_s = parsed.value("elapsed_s", 0.0);
  if (parsed["ends_at_unix"].is_number())
    view.ends_at_unix = parsed["ends_at_unix"].get<long long>();
  view.reason = parsed.value("reason", "");
  for (const auto& s : parsed["signals"]) {
    if (!s.is_object()) continue;
    view.signals.push_back({.name = s.value("name", ""),
                            .value = OptionalNumber(s["value"]),
                            .threshold = OptionalNumber(s["threshold"]),
                            .ok = s.value("ok", false),
                            .note = s.value("note", "")});
  }
  return view;
}

}  // namespace tandem::observe
