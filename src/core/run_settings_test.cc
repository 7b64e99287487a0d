#include "core/run_settings.h"

#include <gtest/gtest.h>

namespace tandem::core {
namespace {

constexpr Millis kEngineChunkTime{10};

TEST(RunSettingsTest, WithNeitherFlagsNorFileTheDefaultsHold) {
  backfill::Options defaults;
  backfill::Options options = BackfillSettings({}, {}, kEngineChunkTime);
  EXPECT_EQ(options.target_chunk_time, kEngineChunkTime);
  EXPECT_EQ(options.gentle_start, defaults.gentle_start);
  EXPECT_FALSE(options.batch_size);
  EXPECT_EQ(options.concurrency, defaults.concurrency);
  EXPECT_FALSE(options.vacuum_every);
  EXPECT_EQ(options.reconnect_window, defaults.reconnect_window);
}

TEST(RunSettingsTest, TheFileOverTheDefaults) {
  plan::Settings file;
  file.backfill_target_chunk_time = Millis(50);
  file.backfill_concurrency = 4;
  file.backfill_vacuum_every = 1000;
  file.backfill_reconnect_window = Millis(5000);
  backfill::Options options = BackfillSettings({}, file, kEngineChunkTime);
  EXPECT_EQ(options.target_chunk_time, Millis(50));
  EXPECT_EQ(options.gentle_start, Millis(0)) << "a chosen target holds from the first chunk";
  EXPECT_EQ(options.concurrency, 4);
  EXPECT_EQ(options.vacuum_every, 1000);
  EXPECT_EQ(options.reconnect_window, Millis(5000));
}

TEST(RunSettingsTest, TheFlagsOverTheFile) {
  plan::Settings file;
  file.backfill_batch_size = 100;
  file.backfill_target_chunk_time = Millis(50);
  file.backfill_concurrency = 4;
  file.backfill_vacuum_every = 1000;
  RunnerOptions flags;
  flags.batch_size = 500;
  flags.target_chunk_time = Millis(80);
  flags.concurrency = 1;
  flags.vacuum_every = 0;
  backfill::Options options = BackfillSettings(flags, file, kEngineChunkTime);
  EXPECT_EQ(options.batch_size, 500);
  EXPECT_EQ(options.target_chunk_time, Millis(80));
  EXPECT_EQ(options.concurrency, 1);
  EXPECT_EQ(options.vacuum_every, 0) << "0 from the command line turns vacuuming off";
}

TEST(RunSettingsTest, AFixedBatchSizeSkipsTheGentleStart) {
  plan::Settings file;
  file.backfill_batch_size = 100;
  EXPECT_EQ(BackfillSettings({}, file, kEngineChunkTime).gentle_start, Millis(0));
}

TEST(RunSettingsTest, VerifyTakesTheFilesThresholds) {
  verify::Options flags;
  flags.show = 3;
  plan::Settings file;
  file.parity_threshold = 99.5;
  verify::Options options = VerifySettings(flags, file);
  EXPECT_EQ(options.parity_threshold, 99.5);
  EXPECT_EQ(options.drift_threshold, verify::Options().drift_threshold);
  EXPECT_EQ(options.show, 3);
}

// flag > migration file > config file > default, key by key.
TEST(RunSettingsTest, TheFileOverTheConfigFileKeyByKey) {
  plan::Settings file;
  file.backfill_concurrency = 4;
  file.lock_timeout = Millis(2000);
  file.hooks.command = "notify";
  plan::Settings config;
  config.backfill_concurrency = 8;
  config.backfill_batch_size = 500;
  config.lock_timeout = Millis(9000);
  config.lock_retry_attempts = 3;
  config.hooks.url = "http://127.0.0.1:9000/events";
  config.metrics_prefix = "acme";
  plan::Settings layered = Layered(file, config);
  EXPECT_EQ(layered.backfill_concurrency, 4);
  EXPECT_EQ(layered.backfill_batch_size, 500);
  EXPECT_EQ(layered.lock_timeout, Millis(2000));
  EXPECT_EQ(layered.lock_retry_attempts, 3);
  EXPECT_EQ(layered.hooks.command, "notify");
  EXPECT_EQ(layered.hooks.url, "http://127.0.0.1:9000/events");
  EXPECT_EQ(layered.metrics_prefix, "acme");
  EXPECT_EQ(BackfillSettings({}, layered, kEngineChunkTime).batch_size, 500);
}

TEST(RunSettingsTest, LockFlagsGivenWinOverTheFilesLockSection) {
  plan::Settings settings;
  settings.lock_timeout = Millis(2000);
  settings.lock_deadline = Millis(60000);
  settings.lock_retry_backoff = Millis(50);
  settings.lock_retry_attempts = 5;
  RunnerOptions flags;
  backend::LockPolicy from_file = LockPolicyOf(flags, settings);
  EXPECT_EQ(from_file.lock_timeout, Millis(2000));
  EXPECT_EQ(from_file.deadline, Millis(60000));
  EXPECT_EQ(from_file.backoff_base, Millis(50));
  EXPECT_EQ(from_file.max_attempts, 5);
  flags.lock_policy.lock_timeout = Millis(100);
  flags.lock_timeout_given = true;
  backend::LockPolicy with_flag = LockPolicyOf(flags, settings);
  EXPECT_EQ(with_flag.lock_timeout, Millis(100));
  EXPECT_EQ(with_flag.deadline, Millis(60000)) << "a flag wins only for its own key";
}

}  // namespace
}  // namespace tandem::core
