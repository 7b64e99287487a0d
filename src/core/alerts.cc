#include "core/alerts.h"

#include <nlohmann/json.hpp>

namespace tandem::core {

std::vector<AlertThreshold> AlertThresholds(const plan::Settings& settings) {
  std::vector<AlertThreshold> out;
  if (settings.alert_error_rate) out.push_back({kErrorRateAlert, *settings.alert_error_rate});
  if (settings.alert_replica_lag) {
    out.push_back(
        {kReplicaLagAlert, static_cast<double>(settings.alert_replica_lag->count()) / 1000.0});
  }
  return out;
}

std::optional<double> ErrorRatePercent(const observe::Counters& before,
                                       const observe::Counters& after) {
  double rolled_back = after.rollbacks - before.rollbacks;
  double ended = rolled_back + (after.commits - before.commits);
  // Counters reset (pg_stat_reset) go backwards: no judgement from them.
  if (ended <= 0 || rolled_back < 0) return std::nullopt;
  return 100.0 * rolled_back / ended;
}

namespace {

nlohmann::json DetailOf(const RecordedEvent& e) {
  return nlohmann::json::parse(e.event.detail, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

std::vector<AlertState> AlertStates(const std::vector<AlertThreshold>& thresholds,
                                    const std::vector<RecordedEvent>& events) {
  std::vector<AlertState> states;
  for (const auto& t : thresholds) states.push_back({t.name, t.threshold});
  for (const auto& e : events) {
    if (e.event.kind != kAlertKind) continue;
    nlohmann::json detail = DetailOf(e);
    if (!detail.is_object() || !detail.contains("name") || !detail["name"].is_string()) continue;
    for (auto& state : states) {
      if (state.name != detail["name"].get<std::string>()) continue;
      state.firing = e.event.outcome == "fired";
      if (detail.contains("value") && detail["value"].is_number()) {
        state.value = detail["value"].get<double>();
      }
    }
  }
  return states;
}

AlertTracker::AlertTracker(std::vector<AlertThreshold> thresholds) {
  for (const auto& t : thresholds) {
    thresholds_[t.name] = t.threshold;
    firing_[t.name] = false;
  }
}

void AlertTracker::AssumeFiring(const std::string& name) {
  if (firing_.count(name)) firing_[name] = true;
}

std::optional<Event> AlertTracker::Observe(const std::string& name, std::optional<double> value,
                                           const std::string& phase) {
  auto threshold = thresholds_.find(name);
  if (threshold == thresholds_.end() || !value) return std::nullopt;
  bool above = *value > threshold->second;
  bool& firing = firing_[name];
  if (above == firing) return std::nullopt;
  firing = above;
  nlohmann::json detail = {{"name", name}, {"value", *value}, {"threshold", threshold->second}};
  return Event{.phase = phase,
               .kind = kAlertKind,
               .description = std::string(above ? "alert fired: " : "alert cleared: ") + name,
               .outcome = above ? "fired" : "cleared",
               .detail = detail.dump()};
}

AlertWatch::AlertWatch(std::vector<AlertThreshold> thresholds,
                       const std::vector<RecordedEvent>& events, Sources sources, std::string phase,
                       Record record, Millis interval)
    : tracker_(thresholds),
      sources_(std::move(sources)),
      phase_(std::move(phase)),
      record_(std::move(record)),
      interval_(interval) {
  for (const auto& state : AlertStates(thresholds, events)) {
    if (state.firing) tracker_.AssumeFiring(state.name);
  }
}

std::optional<double> AlertWatch::SampleErrorRate() {
  if (!sources_.signals) return std::nullopt;
  Result<observe::Counters> now = sources_.signals->Take();
  // A failed read judges nothing: the throttle and the window say when the
  // database cannot be read.
  if (!now.ok()) return std::nullopt;
  std::optional<double> rate;
  if (last_counters_) rate = ErrorRatePercent(*last_counters_, *now);
  last_counters_ = *now;
  return rate;
}

void AlertWatch::Poll() {
  Clock::time_point now = Clock::now();
  if (sampled_at_ && now - *sampled_at_ < interval_) return;
  sampled_at_ = now;
  auto note = [this](const std::string& name, std::optional<double> value) {
    if (std::optional<Event> change = tracker_.Observe(name, value, phase_)) {
      record_(name, *change);
    }
  };
  note(kErrorRateAlert, SampleErrorRate());
  if (sources_.replica_lag_ms) {
    std::optional<double> lag_ms = sources_.replica_lag_ms();
    note(kReplicaLagAlert, lag_ms ? std::optional<double>(*lag_ms / 1000.0) : std::nullopt);
  }
}

}  // namespace tandem::core
