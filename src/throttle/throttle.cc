#include "throttle/throttle.h"

#include <cstdio>

#include "common/strings.h"

namespace tandem::backfill {
namespace {

// Orders Control by how strongly it holds the backfill.
int Strength(Control control) {
  switch (control) {
    case Control::kContinue:
      return 0;
    case Control::kThrottle:
      return 1;
    case Control::kPause:
      return 2;
    case Control::kStop:
      return 3;
  }
  return 0;
}

// "10h05m" for 605 minutes.
std::string HoursMinutes(int minutes) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%dh%02dm", minutes / 60, minutes % 60);
  return buf;
}

template <typename T>
std::optional<T> Either(const std::optional<T>& first, const std::optional<T>& second) {
  return first ? first : second;
}

}  // namespace

Status ValidateThrottleFlags(const plan::ThrottleSettings& s) {
  if (!s.throttle_query.empty() && !s.throttle_above) {
    return Status::InvalidInput(
        "--throttle-query needs --throttle-above N: the backfill waits while the query's value "
        "is above N");
  }
  if (s.throttle_above && s.throttle_query.empty()) {
    return Status::InvalidInput(
        "--throttle-above needs --throttle-query SQL: the query whose value it bounds");
  }
  if (s.max_rows_per_second && !(*s.max_rows_per_second > 0)) {
    return Status::InvalidInput("--max-rows-per-second must be above 0, e.g. 5000");
  }
  if (s.max_runtime && s.max_runtime->count() <= 0) {
    return Status::InvalidInput("--backfill-max-runtime must be above 0, e.g. 2h");
  }
  for (const auto& url : s.replicas) {
    if (Trim(url).empty()) return Status::InvalidInput("--replica needs a connection string");
  }
  if (!s.window.empty()) {
    auto window = TimeWindow::Parse(s.window);
    if (!window.ok()) return window.status().WithContext("--window");
  }
  return Status::Ok();
}

Result<ThrottleConfig> ResolveThrottle(const plan::ThrottleSettings& flags,
                                       const plan::ThrottleSettings& file) {
  ThrottleConfig config;
  config.max_replica_lag =
      Either(flags.max_replica_lag, file.max_replica_lag).value_or(kDefaultMaxReplicaLag);
  config.replicas = flags.replicas.empty() ? file.replicas : flags.replicas;
  config.max_active_sessions = Either(flags.max_active_sessions, file.max_active_sessions);
  config.max_lock_waiters = Either(flags.max_lock_waiters, file.max_lock_waiters);
  const plan::ThrottleSettings& probe = flags.throttle_query.empty() ? file : flags;
  config.throttle_query = probe.throttle_query;
  config.throttle_above = probe.throttle_above.value_or(0);
  config.max_rows_per_second = Either(flags.max_rows_per_second, file.max_rows_per_second);
  config.max_runtime = Either(flags.max_runtime, file.max_runtime);
  const std::string& window = flags.window.empty() ? file.window : flags.window;
  if (!window.empty()) {
    TANDEM_ASSIGN_OR_RETURN(config.window, TimeWindow::Parse(window));
  }
  return config;
}

Decision Strongest(const std::vector<Decision>& decisions) {
  Decision strongest;
  for (const auto& d : decisions) {
    if (Strength(d.control) > Strength(strongest.control)) strongest = d;
  }
  return strongest;
}

Throttle::Throttle(ThrottleConfig config, std::vector<std::unique_ptr<Probe>> probes,
                   TimeSource time)
    : config_(std::move(config)),
      probes_(std::move(probes)),
      time_(std::move(time)),
      started_(time_.now()),
      cached_(probes_.size()) {
  if (config_.max_rows_per_second) rate_.emplace(*config_.max_rows_per_second, started_);
}

Throttle::~Throttle() = default;

std::optional<Decision> Throttle::WindowDecision() const {
  if (!config_.window) return std::nullopt;
  int now = time_.local_minute_of_day();
  if (config_.window->Contains(now)) return std::nullopt;
  int wait = config_.window->MinutesUntilOpen(now);
  return Decision{Control::kThrottle,
                  "outside the window " + config_.window->ToString() + " (local time now " +
                      FormatMinuteOfDay(now) + "); waiting until " +
                      FormatMinuteOfDay(config_.window->start()) + ", in " + HoursMinutes(wait)};
}

std::optional<Decision> Throttle::RateDecision(Clock::time_point now) {
  if (!rate_) return std::nullopt;
  Millis wait = rate_->WaitFor(now);
  if (wait.count() == 0) return std::nullopt;
  return Decision{Control::kThrottle, "rate cap " + FormatNumber(rate_->rows_per_second()) +
                                          " rows/s (--max-rows-per-second); next chunk in " +
                                          FormatDuration(wait)};
}

Verdict Throttle::Judge() {
  std::lock_guard<std::mutex> lock(mutex_);
  Clock::time_point now = time_.now();
  if (config_.max_runtime && now - started_ >= *config_.max_runtime) {
    return {{Control::kStop,
             "the backfill's own limit (--backfill-max-runtime, backfill.max_runtime) " +
                 FormatDuration(*config_.max_runtime) + " reached"},
            "max runtime"};
  }
  if (auto window = WindowDecision()) return {*window, "window"};
  if (auto rate = RateDecision(now)) return {*rate, "rate cap"};
  for (size_t i = 0; i < probes_.size(); ++i) {
    Cached& cached = cached_[i];
    if (!cached.at || now - *cached.at >= kProbeInterval) {
      cached.decision = probes_[i]->Check();
      cached.at = now;
    }
    Decision decision = ProbeDecision(*probes_[i], cached.decision);
    if (decision.control != Control::kContinue) return {decision, probes_[i]->Name()};
  }
  return {};
}

Decision Throttle::ProbeDecision(const Probe& probe, const Decision& checked) const {
  if (!changed_max_lag_ || probe.Name() != kReplicaLagProbe) return checked;
  if (changed_max_lag_->count() == 0) return {};
  std::optional<double> lag_ms = probe.MeasuredMs();
  if (!lag_ms) return checked;  // it could not measure: still fail closed
  if (*lag_ms <= static_cast<double>(changed_max_lag_->count())) return {};
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.1fs", *lag_ms / 1000.0);
  return {Control::kThrottle, std::string("replica lag ") + seconds + " > " +
                                  FormatDuration(*changed_max_lag_) +
                                  " (max_replica_lag changed through the control API)"};
}

void Throttle::Apply(const ThrottleChange& change) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (change.max_rows_per_second) {
    if (*change.max_rows_per_second > 0) {
      rate_.emplace(*change.max_rows_per_second, time_.now());
    } else {
      rate_.reset();
    }
  }
  if (change.max_replica_lag) changed_max_lag_ = change.max_replica_lag;
}

std::optional<double> Throttle::LastMeasured(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::optional<double> worst;
  for (const auto& probe : probes_) {
    std::optional<double> value = probe->Name() == name ? probe->MeasuredMs() : std::nullopt;
    if (value && (!worst || *value > *worst)) worst = value;
  }
  return worst;
}

void Throttle::RowsDone(long long rows) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (rate_ && rows > 0) rate_->Consume(rows, time_.now());
}

}  // namespace tandem::backfill
