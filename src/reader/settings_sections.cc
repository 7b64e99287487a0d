#include "reader/settings_sections.h"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdlib>
#include <set>

#include "common/strings.h"
#include "hooks/hook_call.h"
#include "reader/messages.h"
#include "reader/throttle_settings.h"

namespace tandem::reader {
namespace {

constexpr int64_t kMaxConcurrency = 64;

// A percentage between 0 and 100 ("99.99"), or nullopt when absent.
std::optional<double> Percent(const MapReader& map, std::string_view key) {
  if (!map.Has(key)) return std::nullopt;
  std::string text = map.String(key);
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || value < 0 || value > 100) {
    map.Fail(key, "expected a percentage from 0 to 100, got \"" + text + "\"; e.g. 99.99");
    return std::nullopt;
  }
  return value;
}

void ReadInvariants(const std::vector<MapReader>& items, plan::Settings* settings) {
  std::set<std::string> names;
  for (const MapReader& item : items) {
    plan::Invariant invariant;
    invariant.name = item.Identifier("name", Need::kRequired);
    invariant.table = item.Identifier("table", Need::kRequired);
    invariant.check = item.Expression("check", Need::kRequired);
    item.RecordPositions(&invariant.at);
    if (!item.ok()) return;
    if (!names.insert(invariant.name).second) {
      item.Fail("name", "invariant \"" + invariant.name +
                            "\" is declared twice; give each a "
                            "unique name");
      return;
    }
    settings->invariants.push_back(std::move(invariant));
  }
}

// The `backfill:` section; the command line's flags of the same names win.
void ReadBackfillSettings(const MapReader& backfill, plan::Settings* settings) {
  std::optional<int64_t> batch_size = backfill.Int("batch_size");
  if (batch_size && (*batch_size < 1 || *batch_size > INT32_MAX)) {
    backfill.Fail("batch_size", "must be between 1 and 2147483647; rows per batch, e.g. 1000");
  } else if (batch_size) {
    settings->backfill_batch_size = static_cast<int>(*batch_size);
  }
  std::optional<int64_t> concurrency = backfill.Int("concurrency");
  if (concurrency && (*concurrency < 1 || *concurrency > kMaxConcurrency)) {
    backfill.Fail("concurrency", "must be between 1 and " + std::to_string(kMaxConcurrency) +
                                     "; workers (connections) filling the table at once, e.g. 2");
  } else if (concurrency) {
    settings->backfill_concurrency = static_cast<int>(*concurrency);
  }
  std::optional<int64_t> vacuum_every = backfill.Int("vacuum_every");
  if (vacuum_every && *vacuum_every < 0) {
    backfill.Fail("vacuum_every",
                  "must be 0 (never) or more; rows written between two VACUUMs "
                  "of the table, e.g. 1000000");
  } else if (vacuum_every) {
    settings->backfill_vacuum_every = *vacuum_every;
  }
  std::optional<Millis> chunk_time = DurationSetting(backfill, "target_chunk_time", false);
  if (chunk_time) settings->backfill_target_chunk_time = *chunk_time;
  std::optional<Millis> reconnect_window = DurationSetting(backfill, "reconnect_window", false);
  if (reconnect_window) settings->backfill_reconnect_window = *reconnect_window;
}

constexpr int64_t kMaxRetryAttempts = 1000;

// `lock:`; the flags --lock-timeout and --lock-deadline win.
void ReadLockSettings(const MapReader& lock, plan::Settings* settings) {
  settings->lock_timeout = DurationSetting(lock, "timeout", /*zero_ok=*/false);
  settings->lock_deadline = DurationSetting(lock, "deadline", /*zero_ok=*/false);
  settings->lock_retry_backoff = DurationSetting(lock, "retry_backoff", /*zero_ok=*/false);
  std::optional<int64_t> attempts = lock.Int("retry_attempts");
  if (attempts && (*attempts < 0 || *attempts > kMaxRetryAttempts)) {
    lock.Fail("retry_attempts", "must be 0 (retry until the deadline) to " +
                                    std::to_string(kMaxRetryAttempts) + ", e.g. 20");
  } else if (attempts) {
    settings->lock_retry_attempts = static_cast<int>(*attempts);
  }
}

void ReadMetricsSettings(const MapReader& metrics, plan::Settings* settings) {
  if (!metrics.Has("prefix")) return;
  std::string prefix = metrics.String("prefix");
  if (!IsPrometheusName(prefix)) {
    metrics.Fail("prefix", "\"" + prefix +
                               "\" cannot start a Prometheus metric name: use letters, digits "
                               "and underscores, not starting with a digit, e.g. tandem");
    return;
  }
  settings->metrics_prefix = prefix;
}

void ReadAlertSettings(const MapReader& alerts, plan::Settings* settings) {
  settings->alert_error_rate = Percent(alerts, "error_rate");
  settings->alert_replica_lag = DurationSetting(alerts, "replica_lag", /*zero_ok=*/false);
}

void ReadHookSettings(const MapReader& hooks, plan::HookSettings* settings) {
  settings->command = hooks.String("command");
  settings->url = hooks.String("url");
  if (!settings->url.empty()) {
    if (Status usable = hooks::CheckHookUrl(settings->url); !usable.ok()) {
      hooks.Fail("url", usable.message());
    }
  }
  settings->timeout = DurationSetting(hooks, "timeout", /*zero_ok=*/false);
  settings->events = hooks.StringList("events");
  if (hooks.ok() && settings->command.empty() && settings->url.empty()) {
    hooks.FailHere(
        "give a `command` (run with the event as JSON on its stdin) or a `url` "
        "(POSTed the event), or remove the section");
  }
}

}  // namespace

// tandem's own sections, which pgroll does not know.
void ReadSettings(const MapReader& top, plan::Settings* settings) {
  if (std::optional<MapReader> lint = top.Map("lint", kLintKeys)) {
    settings->lint_disable = lint->StringList("disable");
    lint->RecordPositions(&settings->lint_at);
  }
  if (std::optional<MapReader> lock = top.Map("lock", kLockKeys)) ReadLockSettings(*lock, settings);
  if (std::optional<MapReader> run = top.Map("run", kRunKeys)) {
    settings->dry_run = run->OptionalBool("dry_run");
    settings->require_approval = run->OptionalBool("require_approval");
    settings->run_max_runtime = DurationSetting(*run, "max_runtime", /*zero_ok=*/false);
  }
  if (std::optional<MapReader> metrics = top.Map("metrics", kMetricsKeys)) {
    ReadMetricsSettings(*metrics, settings);
  }
  if (std::optional<MapReader> alerts = top.Map("alerts", kAlertKeys)) {
    ReadAlertSettings(*alerts, settings);
  }
  if (std::optional<MapReader> hooks = top.Map("hooks", kHookKeys)) {
    ReadHookSettings(*hooks, &settings->hooks);
  }
  if (std::optional<MapReader> backfill = top.Map("backfill", kBackfillKeys)) {
    ReadBackfillSettings(*backfill, settings);
    ReadThrottleSettings(*backfill, &settings->throttle);
  }
  YAML::Node verify = top.Value("verify");
  if (!top.ok() || !verify.IsDefined()) return;
  if (verify.IsSequence()) {
    // A bare list is the invariants.
    ReadInvariants(top.MapList("verify", kInvariantKeys), settings);
  } else if (verify.IsMap()) {
    std::optional<MapReader> section = top.Map("verify", kVerifyKeys);
    if (!section) return;
    settings->parity_threshold = Percent(*section, "parity_threshold");
    settings->drift_threshold = Percent(*section, "drift_threshold");
    ReadInvariants(section->MapList("invariants", kInvariantKeys), settings);
  } else {
    top.Fail("verify", "expected a list or a map of checks, got " + Describe(verify) +
                           "; write e.g. `verify: [...]` or remove the section");
  }
}

}  // namespace tandem::reader
