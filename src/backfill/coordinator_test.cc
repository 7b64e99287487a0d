#include "backfill/coordinator.h"

#include <gtest/gtest.h>

namespace tandem::backfill {
namespace {

std::deque<KeyRange> Ranges(int n) {
  std::deque<KeyRange> ranges(n);
  for (int i = 0; i < n; ++i) ranges[i].number = i;
  return ranges;
}

TEST(CoordinatorTest, ThrottlingSetsAWorkerAsideAndItsRangeGoesBackToTheQueue) {
  Options options;
  options.concurrency = 2;
  options.scale_up_after = Millis(60000);
  std::vector<Control> answers = {Control::kThrottle, Control::kContinue, Control::kContinue};
  size_t asked = 0;
  options.control = [&]() -> Decision {
    Control c = answers[std::min(asked++, answers.size() - 1)];
    return {c, c == Control::kThrottle ? "replica lag 9s > 5s" : ""};
  };
  Coordinator coordinator(options, Ranges(3), Progress{});
  std::optional<KeyRange> first = coordinator.Take();
  std::optional<KeyRange> second = coordinator.Take();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(coordinator.Snapshot().workers, 2);
  EXPECT_EQ(coordinator.BeforeChunk(), Coordinator::Gate::kStepAside);
  coordinator.StepAside(*first);
  EXPECT_EQ(coordinator.BeforeChunk(), Coordinator::Gate::kGo) << "one worker goes on";
  EXPECT_EQ(coordinator.Snapshot().workers, 1);
  coordinator.Release();  // the remaining worker finished its range
  std::optional<KeyRange> next = coordinator.Take();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->number, first->number) << "the range set aside is taken up first";
}

TEST(CoordinatorTest, AStopEndsTheRunAndSaysHowToContinue) {
  Options options;
  options.control = [] { return Decision{Control::kStop, "interrupted by a signal"}; };
  Coordinator coordinator(options, Ranges(1), Progress{});
  ASSERT_TRUE(coordinator.Take());
  EXPECT_EQ(coordinator.BeforeChunk(), Coordinator::Gate::kStop);
  EXPECT_FALSE(coordinator.Take()) << "no range is handed out after a stop";
  Status outcome = coordinator.Outcome("t");
  EXPECT_EQ(outcome.kind(), ErrorKind::kInterrupted);
  EXPECT_NE(outcome.message().find("tandem backfill"), std::string::npos);
}

TEST(CoordinatorTest, ReportsTheNinetyNinthPercentileAndTheSlowestChunk) {
  Options options;
  Coordinator coordinator(options, Ranges(1), Progress{});
  EXPECT_FALSE(coordinator.Snapshot().chunk_p99) << "no chunk has finished yet";
  for (int ms = 200; ms >= 1; --ms) coordinator.ChunkTook(Millis(ms));
  Progress p = coordinator.Snapshot();
  ASSERT_TRUE(p.chunk_p99 && p.chunk_max);
  EXPECT_EQ(p.chunk_p99->count(), 198);
  EXPECT_EQ(p.chunk_max->count(), 200);
}

TEST(CoordinatorTest, ChunksAreShortWhileTheApplicationWaitsOnTheirRows) {
  Options options;
  options.target_chunk_time = Millis(200);
  options.contended_chunk_time = Millis(20);
  options.contention_hold = Millis(10000);
  options.gentle_start = Millis(0);
  Coordinator coordinator(options, Ranges(1), Progress{});
  auto t0 = Coordinator::Clock::now();
  coordinator.ObserveWaiters(0, t0);
  EXPECT_EQ(coordinator.TargetChunkTime(t0).count(), 200) << "nobody waits";
  coordinator.ObserveWaiters(2, t0);
  EXPECT_EQ(coordinator.TargetChunkTime(t0 + Millis(9000)).count(), 20);
  coordinator.ObserveWaiters(0, t0 + Millis(9000));
  EXPECT_EQ(coordinator.TargetChunkTime(t0 + Millis(9999)).count(), 20) << "held after the wait";
  EXPECT_EQ(coordinator.TargetChunkTime(t0 + Millis(10001)).count(), 200) << "and back after";
}

TEST(CoordinatorTest, ChunksAreShortWhileTheBackfillStartsThenGrowToTheTarget) {
  Options options;
  options.target_chunk_time = Millis(200);
  options.contended_chunk_time = Millis(20);
  options.gentle_start = Millis(10000);
  auto before = Coordinator::Clock::now();
  Coordinator coordinator(options, Ranges(1), Progress{});
  EXPECT_EQ(coordinator.TargetChunkTime(before + Millis(9000)).count(), 20);
  Progress p = coordinator.Snapshot();
  EXPECT_TRUE(p.gentle_start);
  EXPECT_FALSE(p.short_chunks) << "nobody waited";
  EXPECT_EQ(coordinator.TargetChunkTime(Coordinator::Clock::now() + Millis(10001)).count(), 200);
}

TEST(CoordinatorTest, AShorterTargetThanTheContendedOneStays) {
  Options options;
  options.target_chunk_time = Millis(10);
  Coordinator coordinator(options, Ranges(1), Progress{});
  auto t0 = Coordinator::Clock::now();
  coordinator.ObserveWaiters(1, t0);
  EXPECT_EQ(coordinator.TargetChunkTime(t0).count(), 10);
}

TEST(CoordinatorTest, OnlyOneWorkerVacuumsAtATime) {
  Options options;
  Coordinator coordinator(options, Ranges(1), Progress{});
  coordinator.set_vacuum_every(100);
  coordinator.ChunkDone(150, 150, 150);
  EXPECT_TRUE(coordinator.VacuumTurn());
  coordinator.ChunkDone(150, 150, 150);
  EXPECT_FALSE(coordinator.VacuumTurn()) << "another worker is vacuuming";
  coordinator.VacuumDone();
  EXPECT_TRUE(coordinator.VacuumTurn());
}

}  // namespace
}  // namespace tandem::backfill
