#include "observe/window.h"

#include <gtest/gtest.h>

#include <deque>

namespace tandem::observe {
namespace {

using Clock = std::chrono::steady_clock;

// Counters that grow by `per_second` of virtual time, from a shared clock.
class FakeSignals : public EngineSignals {
 public:
  FakeSignals(const Clock::time_point* now, Counters per_second)
      : now_(now), start_(*now), per_second_(per_second) {}
  Result<Counters> Take() override {
    double s = std::chrono::duration<double>(*now_ - start_).count();
    Counters c;
    c.rollbacks = per_second_.rollbacks * s;
    c.deadlocks = per_second_.deadlocks * s;
    c.lock_waits = per_second_.lock_waits;
    c.calls = 100 + 10 * s;
    c.exec_ms = 50 + 5 * s;  // 0.5 ms a call
    return c;
  }
  std::vector<std::string> Gaps() const override { return {}; }
  Counters* rates() { return &per_second_; }

 private:
  const Clock::time_point* now_;
  Clock::time_point start_;
  Counters per_second_;
};

class FakeProbe : public UserProbe {
 public:
  explicit FakeProbe(std::deque<Result<Reading>>* readings) : readings_(readings) {}
  Result<Reading> Read() override {
    if (readings_->size() > 1) {
      Result<Reading> next = readings_->front();
      readings_->pop_front();
      return next;
    }
    return readings_->front();
  }

 private:
  std::deque<Result<Reading>>* readings_;
};

class WindowTest : public ::testing::Test {
 protected:
  WindowHooks Hooks() {
    WindowHooks hooks;
    hooks.now = [this] { return now_; };
    hooks.sleep = [this](Millis d) { now_ += d; };
    hooks.ramp_to = [this](int bp) {
      ramp_.push_back(bp);
      return Status::Ok();
    };
    hooks.sampled = [this](Millis, const std::vector<Reading>&) { ++samples_; };
    return hooks;
  }
  WindowPlan Plan(Millis length) {
    WindowPlan plan;
    plan.length = length;
    plan.sample_every = Millis{1000};
    return plan;
  }

  Clock::time_point now_{};
  std::vector<int> ramp_;
  int samples_ = 0;
};

TEST_F(WindowTest, SignalsAtTheirBaselineMakeACleanWindowOfTheWholeLength) {
  auto signals = std::make_unique<FakeSignals>(&now_, Counters{.rollbacks = 5, .lock_waits = 1});
  Window window(Plan(Millis{10000}), std::move(signals), {}, Hooks());
  ASSERT_TRUE(window.CaptureBaseline([](const std::string&) {}).ok());
  Outcome outcome = window.Observe();
  EXPECT_TRUE(outcome.clean) << outcome.reason;
  EXPECT_EQ(outcome.elapsed, Millis{10000});
  EXPECT_EQ(samples_, 11);
  ASSERT_EQ(outcome.readings.size(), 4u);
  EXPECT_EQ(outcome.readings[0].name, "rollback_rate");
  EXPECT_NEAR(*outcome.readings[0].value, 5, 0.01);
  EXPECT_NEAR(*outcome.readings[0].threshold, 6, 0.01);  // baseline 5/s + 1/s allowed
  EXPECT_EQ(outcome.readings[3].name, "statement_mean_ms");
  EXPECT_NEAR(*outcome.readings[3].value, 0.5, 0.01);
}

TEST_F(WindowTest, ARollbackSpikeBreachesAndTheRampGoesBackToZero) {
  auto signals = std::make_unique<FakeSignals>(&now_, Counters{.rollbacks = 2});
  FakeSignals* fake = signals.get();
  WindowPlan plan = Plan(Millis{60000});
  plan.ramp = {100, 1000, 10000};
  plan.step_every = Millis{20000};
  Window window(plan, std::move(signals), {}, Hooks());
  ASSERT_TRUE(window.CaptureBaseline([](const std::string&) {}).ok());
  // From the window's start, ten times the baseline's rollbacks.
  fake->rates()->rollbacks = 20;
  Outcome outcome = window.Observe();
  EXPECT_FALSE(outcome.clean);
  EXPECT_FALSE(outcome.interrupted);
  EXPECT_NE(outcome.reason.find("rollback_rate"), std::string::npos) << outcome.reason;
  EXPECT_EQ(ramp_, (std::vector<int>{100, 0}));
}

TEST_F(WindowTest, TheRampStepsEveryStepWhileHealthy) {
  WindowPlan plan = Plan(Millis{3000});
  plan.ramp = {100, 5000, 10000};
  plan.step_every = Millis{1000};
  Window window(plan, nullptr, {}, Hooks());
  ASSERT_TRUE(window.CaptureBaseline([](const std::string&) {}).ok());
  Outcome outcome = window.Observe();
  EXPECT_TRUE(outcome.clean) << outcome.reason;
  EXPECT_EQ(ramp_, (std::vector<int>{100, 5000, 10000}));
  EXPECT_EQ(outcome.ramp_reached, 10000);
}

TEST_F(WindowTest, AProbeThatCannotMeasureRefusesBeforeTheSwitchAndBreachesDuringIt) {
  std::deque<Result<Reading>> failing{Status::Error(ErrorKind::kDatabase, "probe \"x\" failed")};
  std::vector<std::unique_ptr<UserProbe>> probes;
  probes.push_back(std::make_unique<FakeProbe>(&failing));
  Window refused(Plan(Millis{5000}), nullptr, std::move(probes), Hooks());
  Status baseline = refused.CaptureBaseline([](const std::string&) {});
  EXPECT_EQ(baseline.kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(baseline.message().find("switch did not happen"), std::string::npos);

  std::deque<Result<Reading>> later{Reading{.name = "x", .value = 0, .threshold = 0},
                                    Reading{.name = "x", .value = 0, .threshold = 0},
                                    Status::Error(ErrorKind::kDatabase, "probe \"x\" failed")};
  probes.clear();
  probes.push_back(std::make_unique<FakeProbe>(&later));
  Window breached(Plan(Millis{5000}), nullptr, std::move(probes), Hooks());
  ASSERT_TRUE(breached.CaptureBaseline([](const std::string&) {}).ok());
  Outcome outcome = breached.Observe();
  EXPECT_FALSE(outcome.clean);
  EXPECT_EQ(outcome.reason, "probe \"x\" failed");
  EXPECT_EQ(outcome.elapsed, Millis{1000});
}

TEST_F(WindowTest, AStopEndsTheWindowAsInterruptedNotClean) {
  std::atomic<bool> stop{false};
  WindowHooks hooks = Hooks();
  hooks.stop = &stop;
  hooks.sleep = [&](Millis d) {
    now_ += d;
    if (now_ - Clock::time_point{} > Millis{2500}) stop = true;
  };
  Window window(Plan(Millis{10000}), nullptr, {}, std::move(hooks));
  ASSERT_TRUE(window.CaptureBaseline([](const std::string&) {}).ok());
  Outcome outcome = window.Observe();
  EXPECT_FALSE(outcome.clean);
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_NE(outcome.reason.find("not clean"), std::string::npos) << outcome.reason;
}

TEST_F(WindowTest, ATimeLimitEndsTheWindowWhenItComes) {
  WindowHooks hooks = Hooks();
  Clock::time_point limit = now_ + Millis{3500};
  hooks.stop_at = limit;
  Window window(Plan(Millis{10000}), nullptr, {}, std::move(hooks));
  ASSERT_TRUE(window.CaptureBaseline([](const std::string&) {}).ok());
  Outcome outcome = window.Observe();
  EXPECT_FALSE(outcome.clean);
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_GE(now_, limit);
  EXPECT_LE(now_, limit + Millis{100}) << "it stops within a nap of the limit";
}

TEST(WindowDefaults, SampleAndBaselineLengthsStayBetweenOneAndTenSeconds) {
  EXPECT_EQ(DefaultSampleEvery(Millis{3000}), Millis{1000});
  EXPECT_EQ(DefaultSampleEvery(Millis{1800000}), Millis{10000});
  EXPECT_EQ(BaselineLength(Millis{2000}), Millis{1000});
  EXPECT_EQ(BaselineLength(Millis{50000}), Millis{5000});
  EXPECT_EQ(BaselineLength(Millis{1800000}), Millis{10000});
}

}  // namespace
}  // namespace tandem::observe
