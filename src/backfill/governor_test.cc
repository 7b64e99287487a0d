#include "backfill/governor.h"

#include <gtest/gtest.h>

namespace tandem::backfill {
namespace {

using Time = Governor::Time;

Time At(long long ms) { return Time{} + Millis(ms) + std::chrono::hours(1); }

TEST(GovernorTest, ThrottlingTakesOneWorkerAwayPerIntervalDownToOne) {
  Governor governor(4, Millis(5000));
  EXPECT_EQ(governor.limit(), 4);
  governor.Observe(Control::kThrottle, At(0));
  EXPECT_EQ(governor.limit(), 3);
  governor.Observe(Control::kThrottle, At(100));  // the other workers' answers
  EXPECT_EQ(governor.limit(), 3) << "at most one step per interval";
  governor.Observe(Control::kThrottle, At(1000));
  governor.Observe(Control::kThrottle, At(2000));
  governor.Observe(Control::kThrottle, At(3000));
  EXPECT_EQ(governor.limit(), 1) << "never below one worker";
}

TEST(GovernorTest, WorkersComeBackOneByOneOnceLoadAllows) {
  Governor governor(2, Millis(5000));
  governor.Observe(Control::kThrottle, At(0));
  EXPECT_EQ(governor.limit(), 1);
  governor.Observe(Control::kContinue, At(4000));
  EXPECT_EQ(governor.limit(), 1) << "not before continue held for a while";
  governor.Observe(Control::kContinue, At(5000));
  EXPECT_EQ(governor.limit(), 2);
  governor.Observe(Control::kContinue, At(20000));
  EXPECT_EQ(governor.limit(), 2) << "never above the configured concurrency";
}

TEST(GovernorTest, APauseNeitherAddsNorRemovesWorkers) {
  Governor governor(3, Millis(1000));
  governor.Observe(Control::kPause, At(0));
  governor.Observe(Control::kPause, At(10000));
  EXPECT_EQ(governor.limit(), 3);
}

}  // namespace
}  // namespace tandem::backfill
