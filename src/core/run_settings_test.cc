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

}  // namespace
}  // namespace tandem::core
