#include "backfill/chunk_times.h"

#include <gtest/gtest.h>

namespace tandem::backfill {
namespace {

TEST(ChunkTimesTest, NothingAddedHasNoFigures) {
  ChunkTimes times;
  EXPECT_EQ(times.P99(), std::nullopt);
  EXPECT_EQ(times.Max(), std::nullopt);
  EXPECT_EQ(times.MeanMs(), std::nullopt);
}

TEST(ChunkTimesTest, FewChunksGiveExactFigures) {
  ChunkTimes times;
  for (int i = 1; i <= 100; ++i) times.Add(Millis(i));
  EXPECT_EQ(times.P99(), Millis(99));
  EXPECT_EQ(times.Max(), Millis(100));
  EXPECT_DOUBLE_EQ(*times.MeanMs(), 50.5);
}

TEST(ChunkTimesTest, ManyChunksStayInBoundedMemoryAndNearTheTrueP99) {
  ChunkTimes times;
  // A million chunks, 1% of them slow (1000 ms), the rest 10 ms.
  for (int i = 0; i < 1000000; ++i) times.Add(Millis(i % 100 == 99 ? 1000 : 10));
  EXPECT_EQ(times.Count(), 1000000);
  EXPECT_EQ(times.Max(), Millis(1000));
  EXPECT_NEAR(*times.MeanMs(), 19.9, 0.01);
  // The sample's 99th percentile sits at the boundary: either of the two.
  Millis p99 = *times.P99();
  EXPECT_TRUE(p99 == Millis(10) || p99 == Millis(1000)) << p99.count();
  EXPECT_LE(sizeof(times) + ChunkTimes::kSampleSize * sizeof(Millis), 64u * 1024);
}

TEST(ChunkTimesTest, ATailAboveOnePercentShowsInTheP99) {
  ChunkTimes times;
  for (int i = 0; i < 200000; ++i) times.Add(Millis(i % 20 == 0 ? 500 : 5));  // 5% slow
  EXPECT_EQ(times.P99(), Millis(500));
}

}  // namespace
}  // namespace tandem::backfill
