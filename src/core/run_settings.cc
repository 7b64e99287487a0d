#include "core/run_settings.h"

#include <algorithm>

#include "reader/reader.h"

namespace tandem::core {
namespace {

template <typename T>
void Under(std::optional<T>& value, const std::optional<T>& fallback) {
  if (!value) value = fallback;
}

void Under(std::string& value, const std::string& fallback) {
  if (value.empty()) value = fallback;
}

void Under(std::vector<std::string>& value, const std::vector<std::string>& fallback) {
  if (value.empty()) value = fallback;
}

void Under(plan::ThrottleSettings& t, const plan::ThrottleSettings& config) {
  Under(t.max_replica_lag, config.max_replica_lag);
  Under(t.replicas, config.replicas);
  Under(t.max_active_sessions, config.max_active_sessions);
  Under(t.max_lock_waiters, config.max_lock_waiters);
  if (t.throttle_query.empty()) {  // the query and its bound go together
    t.throttle_query = config.throttle_query;
    t.throttle_above = config.throttle_above;
  }
  Under(t.max_rows_per_second, config.max_rows_per_second);
  Under(t.window, config.window);
  Under(t.max_runtime, config.max_runtime);
}

void Under(plan::HookSettings& h, const plan::HookSettings& config) {
  Under(h.command, config.command);
  Under(h.url, config.url);
  Under(h.timeout, config.timeout);
  Under(h.events, config.events);
}

}  // namespace

plan::Settings Layered(const plan::Settings& file, const plan::Settings& config) {
  plan::Settings s = file;
  Under(s.backfill_batch_size, config.backfill_batch_size);
  Under(s.backfill_target_chunk_time, config.backfill_target_chunk_time);
  Under(s.backfill_concurrency, config.backfill_concurrency);
  Under(s.backfill_vacuum_every, config.backfill_vacuum_every);
  Under(s.backfill_reconnect_window, config.backfill_reconnect_window);
  Under(s.throttle, config.throttle);
  Under(s.parity_threshold, config.parity_threshold);
  Under(s.drift_threshold, config.drift_threshold);
  Under(s.lock_timeout, config.lock_timeout);
  Under(s.lock_deadline, config.lock_deadline);
  Under(s.lock_retry_backoff, config.lock_retry_backoff);
  Under(s.lock_retry_attempts, config.lock_retry_attempts);
  Under(s.metrics_prefix, config.metrics_prefix);
  Under(s.alert_error_rate, config.alert_error_rate);
  Under(s.alert_replica_lag, config.alert_replica_lag);
  Under(s.dry_run, config.dry_run);
  Under(s.require_approval, config.require_approval);
  Under(s.run_max_runtime, config.run_max_runtime);
  Under(s.hooks, config.hooks);
  return s;
}

backend::LockPolicy LockPolicyOf(const RunnerOptions& flags, const plan::Settings& layered) {
  backend::LockPolicy policy = flags.lock_policy;
  if (!flags.lock_timeout_given && layered.lock_timeout)
    policy.lock_timeout = *layered.lock_timeout;
  if (!flags.lock_deadline_given && layered.lock_deadline) policy.deadline = *layered.lock_deadline;
  if (layered.lock_retry_backoff) policy.backoff_base = *layered.lock_retry_backoff;
  if (layered.lock_retry_attempts) policy.max_attempts = *layered.lock_retry_attempts;
  return policy;
}

Result<plan::Settings> SettingsOf(const MigrationRecord& record) {
  return StoredSettings(record.file_content, record.name);
}

Result<plan::Settings> SettingsOf(const MigrationRecord& record, const plan::Settings& config) {
  TANDEM_ASSIGN_OR_RETURN(plan::Settings file, SettingsOf(record));
  return Layered(file, config);
}

backfill::Options BackfillSettings(const RunnerOptions& flags, const plan::Settings& file,
                                   Millis engine_chunk_time) {
  backfill::Options options;
  options.batch_size = flags.batch_size ? flags.batch_size : file.backfill_batch_size;
  options.target_chunk_time =
      flags.target_chunk_time.value_or(file.backfill_target_chunk_time.value_or(engine_chunk_time));
  // A target someone chose holds from the first chunk (a fixed size has none).
  if (flags.target_chunk_time || file.backfill_target_chunk_time || options.batch_size) {
    options.gentle_start = Millis(0);
  }
  options.concurrency =
      flags.concurrency.value_or(file.backfill_concurrency.value_or(options.concurrency));
  options.vacuum_every = flags.vacuum_every ? flags.vacuum_every : file.backfill_vacuum_every;
  options.reconnect_window = flags.reconnect_window.value_or(
      file.backfill_reconnect_window.value_or(options.reconnect_window));
  return options;
}

verify::Options VerifySettings(verify::Options options, const plan::Settings& file) {
  if (file.parity_threshold) options.parity_threshold = *file.parity_threshold;
  if (file.drift_threshold) options.drift_threshold = *file.drift_threshold;
  return options;
}

Result<plan::Settings> StoredSettings(const std::string& file_content, const std::string& name) {
  TANDEM_ASSIGN_OR_RETURN(plan::Migration migration,
                          reader::ParseMigration(file_content, name + ".yaml"));
  return migration.settings;
}

std::optional<observe::WindowPlan> WindowSettings(std::optional<Millis> observe,
                                                  const plan::SwitchSettings& file) {
  observe::WindowPlan window;
  window.ramp = file.ramp;
  window.step_every = file.step_every.value_or(Millis{0});
  Millis ramp_length = window.step_every * static_cast<long long>(window.ramp.size());
  Millis length = observe.value_or(file.observe.value_or(Millis{0}));
  window.length = std::max(length, ramp_length);
  if (window.length.count() <= 0) return std::nullopt;
  window.sample_every = file.sample_every.value_or(observe::DefaultSampleEvery(window.length));
  observe::Allowances& allow = window.allowances;
  allow.rollback_rate = file.max_rollback_rate.value_or(allow.rollback_rate);
  allow.deadlocks = file.max_deadlocks.value_or(allow.deadlocks);
  allow.lock_waits = file.max_lock_waits.value_or(allow.lock_waits);
  allow.latency_ratio = file.max_latency_ratio.value_or(allow.latency_ratio);
  return window;
}

}  // namespace tandem::core
