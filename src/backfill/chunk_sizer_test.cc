#include "backfill/chunk_sizer.h"

#include <gtest/gtest.h>

namespace tandem::backfill {
namespace {

TEST(ChunkSizerTest, GrowsAtMostOneAndAHalfTimesAndShrinksAtOnce) {
  Options options;
  options.target_chunk_time = Millis(200);
  ChunkSizer sizer(options);
  EXPECT_EQ(sizer.size(), 1000);
  sizer.Observe(Millis(1));  // far below the target
  EXPECT_EQ(sizer.size(), 1500);
  sizer.Observe(Millis(1));
  EXPECT_EQ(sizer.size(), 2250);
  sizer.Observe(Millis(900));  // 4.5x too slow
  EXPECT_EQ(sizer.size(), 500);
}

TEST(ChunkSizerTest, StaysWithinFloorAndCeiling) {
  Options options;
  options.max_batch = 2000;
  ChunkSizer sizer(options);
  for (int i = 0; i < 10; ++i) sizer.Observe(Millis(1));
  EXPECT_EQ(sizer.size(), 2000);
  sizer.Observe(Millis(60000));
  EXPECT_EQ(sizer.size(), options.min_batch);
}

TEST(ChunkSizerTest, AFixedBatchSizeNeverChanges) {
  Options options;
  options.batch_size = 123;
  ChunkSizer sizer(options);
  sizer.Observe(Millis(1));
  sizer.Observe(Millis(100000));
  EXPECT_EQ(sizer.size(), 123);
}

}  // namespace
}  // namespace tandem::backfill
