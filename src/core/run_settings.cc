#include "core/run_settings.h"

#include <algorithm>

#include "reader/reader.h"

namespace tandem::core {

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
