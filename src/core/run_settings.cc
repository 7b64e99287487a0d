#include "core/run_settings.h"

#include "reader/reader.h"

namespace tandem::core {

Result<plan::Settings> SettingsOf(const MigrationRecord& record) {
  TANDEM_ASSIGN_OR_RETURN(plan::Migration migration,
                          reader::ParseMigration(record.file_content, record.name + ".yaml"));
  return migration.settings;
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

}  // namespace tandem::core
