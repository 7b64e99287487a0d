#include "backfill/sqlite/busy_poll.h"

#include <gtest/gtest.h>

namespace tandem::backfill {
namespace {

TEST(BusyPollGap, FollowsSqlitesDelays) {
  EXPECT_EQ(BusyPollGap(Millis(0)), Millis(1));
  EXPECT_EQ(BusyPollGap(Millis(2)), Millis(2));
  EXPECT_EQ(BusyPollGap(Millis(17)), Millis(10));
  EXPECT_EQ(BusyPollGap(Millis(20)), Millis(15));
  EXPECT_EQ(BusyPollGap(Millis(60)), Millis(25));
  EXPECT_EQ(BusyPollGap(Millis(150)), Millis(50));
}

TEST(BusyPollGap, StaysAtTheLastDelay) { EXPECT_EQ(BusyPollGap(Millis(5000)), Millis(100)); }

TEST(BusyPollWait, IsTheFirstTryAfterTheLockIsFree) {
  EXPECT_EQ(BusyPollWait(Millis(0)), Millis(0));
  EXPECT_EQ(BusyPollWait(Millis(3)), Millis(3));
  EXPECT_EQ(BusyPollWait(Millis(4)), Millis(8));
  EXPECT_EQ(BusyPollWait(Millis(20)), Millis(33));
  EXPECT_EQ(BusyPollWait(Millis(229)), Millis(328));  // 228, then 100 ms steps
}

}  // namespace
}  // namespace tandem::backfill
