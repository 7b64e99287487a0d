#include "throttle/throttle.h"

#include <gtest/gtest.h>

namespace tandem::backfill {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int Minute(int hours, int minutes) { return hours * 60 + minutes; }

TEST(TimeWindowTest, ParsesAndRefusesMalformedWindows) {
  auto window = TimeWindow::Parse("22:00-06:30");
  ASSERT_TRUE(window.ok());
  EXPECT_EQ(window->start(), Minute(22, 0));
  EXPECT_EQ(window->end(), Minute(6, 30));
  EXPECT_EQ(window->ToString(), "22:00-06:30");
  for (const char* bad : {"", "22:00", "22-06", "24:00-06:00", "22:60-06:00", "2:00-06:00",
                          "22:00-06:00x", "10:00-10:00", "aa:bb-cc:dd"}) {
    auto parsed = TimeWindow::Parse(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().kind(), ErrorKind::kInvalidInput);
  }
}

TEST(TimeWindowTest, ContainsWithinADay) {
  auto window = *TimeWindow::Parse("09:00-17:00");
  EXPECT_FALSE(window.Contains(Minute(8, 59)));
  EXPECT_TRUE(window.Contains(Minute(9, 0)));
  EXPECT_TRUE(window.Contains(Minute(16, 59)));
  EXPECT_FALSE(window.Contains(Minute(17, 0)));
  EXPECT_EQ(window.MinutesUntilOpen(Minute(8, 0)), 60);
  EXPECT_EQ(window.MinutesUntilOpen(Minute(18, 0)), 15 * 60);
  EXPECT_EQ(window.MinutesUntilOpen(Minute(12, 0)), 0);
}

TEST(TimeWindowTest, ContainsAcrossMidnight) {
  auto window = *TimeWindow::Parse("22:00-06:00");
  EXPECT_TRUE(window.Contains(Minute(22, 0)));
  EXPECT_TRUE(window.Contains(Minute(23, 59)));
  EXPECT_TRUE(window.Contains(Minute(0, 0)));
  EXPECT_TRUE(window.Contains(Minute(5, 59)));
  EXPECT_FALSE(window.Contains(Minute(6, 0)));
  EXPECT_FALSE(window.Contains(Minute(21, 59)));
  EXPECT_EQ(window.MinutesUntilOpen(Minute(21, 0)), 60);
  EXPECT_EQ(window.MinutesUntilOpen(Minute(6, 0)), 16 * 60);
}

TEST(RateCapTest, HoldsTheAverageWhateverTheChunkSize) {
  Clock::time_point t0;
  RateCap cap(1000, t0);
  EXPECT_EQ(cap.WaitFor(t0).count(), 0);
  cap.Consume(3000, t0);  // one second's burst, then two seconds owed
  EXPECT_EQ(cap.WaitFor(t0).count(), 2000);
  EXPECT_EQ(cap.WaitFor(t0 + milliseconds(1500)).count(), 500);
  EXPECT_EQ(cap.WaitFor(t0 + milliseconds(2000)).count(), 0);
}

TEST(RateCapTest, IdleTimeBuysAtMostOneSecondOfBurst) {
  Clock::time_point t0;
  RateCap cap(100, t0);
  EXPECT_EQ(cap.WaitFor(t0 + std::chrono::hours(1)).count(), 0);
  cap.Consume(200, t0 + std::chrono::hours(1));
  EXPECT_EQ(cap.WaitFor(t0 + std::chrono::hours(1)).count(), 1000);
}

TEST(StrongestTest, StopBeatsPauseBeatsThrottleBeatsContinue) {
  Decision go;
  Decision slow{Control::kThrottle, "lag"};
  Decision slower{Control::kThrottle, "load"};
  Decision pause{Control::kPause, "paused"};
  Decision stop{Control::kStop, "signal"};
  EXPECT_EQ(Strongest({}).control, Control::kContinue);
  EXPECT_EQ(Strongest({go, slow, slower}).reason, "lag");
  EXPECT_EQ(Strongest({slow, pause}).reason, "paused");
  EXPECT_EQ(Strongest({pause, stop, slow}).reason, "signal");
}

// A probe whose answer the test sets, counting how often it is asked.
class FakeProbe : public Probe {
 public:
  explicit FakeProbe(Decision* answer, int* asked) : answer_(answer), asked_(asked) {}
  Decision Check() override {
    ++*asked_;
    return *answer_;
  }
  std::string Name() const override { return "fake"; }

 private:
  Decision* answer_;
  int* asked_;
};

class ThrottleTest : public ::testing::Test {
 protected:
  std::unique_ptr<Throttle> Make(ThrottleConfig config) {
    std::vector<std::unique_ptr<Probe>> probes;
    probes.push_back(std::make_unique<FakeProbe>(&answer_, &asked_));
    Throttle::TimeSource time;
    time.now = [this] { return now_; };
    time.local_minute_of_day = [this] { return minute_; };
    return std::make_unique<Throttle>(std::move(config), std::move(probes), time);
  }
  Clock::time_point now_;
  int minute_ = Minute(12, 0);
  Decision answer_;
  int asked_ = 0;
};

TEST_F(ThrottleTest, AsksProbesAtMostOnceASecond) {
  auto throttle = Make({});
  answer_ = {Control::kThrottle, "replica lag 7.2s > 5s"};
  Verdict verdict = throttle->Judge();
  EXPECT_EQ(verdict.decision.reason, "replica lag 7.2s > 5s");
  EXPECT_EQ(verdict.by, "fake");
  answer_ = {};
  now_ += milliseconds(500);
  EXPECT_EQ(throttle->Decide().control, Control::kThrottle) << "cached";
  EXPECT_EQ(asked_, 1);
  now_ += milliseconds(600);
  EXPECT_EQ(throttle->Decide().control, Control::kContinue);
  EXPECT_EQ(asked_, 2);
}

TEST_F(ThrottleTest, OutsideTheWindowWaitsAndSaysUntilWhen) {
  ThrottleConfig config;
  config.window = *TimeWindow::Parse("22:00-06:00");
  auto throttle = Make(config);
  Decision decision = throttle->Decide();
  EXPECT_EQ(decision.control, Control::kThrottle);
  EXPECT_EQ(decision.reason,
            "outside the window 22:00-06:00 (local time now 12:00); waiting until 22:00, in "
            "10h00m");
  EXPECT_EQ(throttle->Judge().by, "window");
  EXPECT_EQ(asked_, 0) << "no probe while the window is closed";
  minute_ = Minute(23, 0);
  EXPECT_EQ(throttle->Decide().control, Control::kContinue);
}

TEST_F(ThrottleTest, RateCapThrottlesUntilTheRowsArePaidFor) {
  ThrottleConfig config;
  config.max_rows_per_second = 1000;
  auto throttle = Make(config);
  EXPECT_EQ(throttle->Decide().control, Control::kContinue);
  throttle->RowsDone(2000);
  Decision decision = throttle->Decide();
  EXPECT_EQ(decision.control, Control::kThrottle);
  EXPECT_NE(decision.reason.find("rate cap 1000 rows/s"), std::string::npos) << decision.reason;
  EXPECT_EQ(throttle->Judge().by, "rate cap");
  now_ += milliseconds(1000);
  EXPECT_EQ(throttle->Decide().control, Control::kContinue);
}

TEST_F(ThrottleTest, MaxRuntimeStops) {
  ThrottleConfig config;
  config.max_runtime = Millis(10000);
  auto throttle = Make(config);
  now_ += milliseconds(9999);
  EXPECT_EQ(throttle->Decide().control, Control::kContinue);
  now_ += milliseconds(1);
  Decision decision = throttle->Decide();
  EXPECT_EQ(decision.control, Control::kStop);
  EXPECT_EQ(
      decision.reason,
      "the backfill's own limit (--backfill-max-runtime, backfill.max_runtime) 10.00s reached");
}

TEST(ResolveThrottleTest, FlagsWinOverTheFile) {
  plan::ThrottleSettings flags;
  plan::ThrottleSettings file;
  file.max_replica_lag = Millis(2000);
  file.max_active_sessions = 5;
  file.window = "22:00-06:00";
  file.replicas = {"host=a"};
  flags.max_active_sessions = 9;
  flags.window = "01:00-02:00";
  auto config = ResolveThrottle(flags, file);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->max_replica_lag.count(), 2000);
  EXPECT_EQ(config->max_active_sessions, 9);
  EXPECT_EQ(config->window->ToString(), "01:00-02:00");
  EXPECT_EQ(config->replicas, std::vector<std::string>{"host=a"});
  EXPECT_EQ(ResolveThrottle({}, {})->max_replica_lag, kDefaultMaxReplicaLag);
}

TEST(ResolveThrottleTest, RefusesInvalidSettings) {
  plan::ThrottleSettings query_alone;
  query_alone.throttle_query = "SELECT 1";
  EXPECT_EQ(ValidateThrottleFlags(query_alone).kind(), ErrorKind::kInvalidInput);
  plan::ThrottleSettings zero_rate;
  zero_rate.max_rows_per_second = 0;
  EXPECT_EQ(ValidateThrottleFlags(zero_rate).kind(), ErrorKind::kInvalidInput);
  plan::ThrottleSettings bad_window;
  bad_window.window = "25:00-01:00";
  Status status = ValidateThrottleFlags(bad_window);
  EXPECT_EQ(status.kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(status.message().find("HH:MM-HH:MM"), std::string::npos) << status.message();
  plan::ThrottleSettings fine;
  fine.throttle_query = "SELECT 1";
  fine.throttle_above = 3;
  EXPECT_TRUE(ValidateThrottleFlags(fine).ok());
}

Result<std::unique_ptr<backend::Connection>> Unreachable() {
  return Status::Error(ErrorKind::kConnection, "cannot connect: server down\nsecond line");
}

TEST(MakeThrottleTest, ProbesThatCannotMeasureHoldTheBackfill) {
  ThrottleConfig config;
  config.replicas = {"postgres://app:secret@replica1:5433/app"};
  auto throttle =
      MakeThrottle(config, Unreachable, [](const std::string&) { return Unreachable(); });
  Decision decision = throttle->Decide();
  EXPECT_EQ(decision.control, Control::kThrottle);
  EXPECT_EQ(decision.reason,
            "replica lag unknown on replica replica1:5433: cannot connect: server "
            "down (holding until it can be measured)")
      << "one line, and never the password";
}

TEST(MakeThrottleTest, ZeroMaxReplicaLagTurnsReplicaLagOff) {
  ThrottleConfig config;
  config.max_replica_lag = Millis(0);
  config.replicas = {"host=replica1 port=5433"};
  auto throttle =
      MakeThrottle(config, Unreachable, [](const std::string&) { return Unreachable(); });
  EXPECT_EQ(throttle->Decide().control, Control::kContinue);
}

}  // namespace
}  // namespace tandem::backfill

namespace tandem::backfill {
namespace {

// A replica lag probe measuring what the test says, with its own limit.
class MeasuringLagProbe : public Probe {
 public:
  MeasuringLagProbe(const std::optional<double>* lag_ms, double limit_ms)
      : lag_ms_(lag_ms), limit_ms_(limit_ms) {}
  Decision Check() override {
    if (!*lag_ms_) return {Control::kThrottle, "replica lag unknown"};
    if (**lag_ms_ > limit_ms_) return {Control::kThrottle, "replica lag above its limit"};
    return {};
  }
  std::string Name() const override { return kReplicaLagProbe; }
  std::optional<double> MeasuredMs() const override { return *lag_ms_; }

 private:
  const std::optional<double>* lag_ms_;
  double limit_ms_;
};

class ThrottleChangeTest : public ::testing::Test {
 protected:
  std::unique_ptr<Throttle> Make(ThrottleConfig config) {
    std::vector<std::unique_ptr<Probe>> probes;
    probes.push_back(std::make_unique<MeasuringLagProbe>(&lag_ms_, 5000));
    Throttle::TimeSource time;
    time.now = [this] { return now_; };
    return std::make_unique<Throttle>(std::move(config), std::move(probes), time);
  }
  // Past the probes' one-second cache.
  Decision Later(Throttle& throttle) {
    now_ += std::chrono::milliseconds(1100);
    return throttle.Decide();
  }
  Clock::time_point now_;
  std::optional<double> lag_ms_ = 0;
};

TEST_F(ThrottleChangeTest, ARateCapIsSetChangedAndLifted) {
  auto throttle = Make({});
  throttle->RowsDone(100000);
  EXPECT_EQ(throttle->Decide().control, Control::kContinue) << "no cap yet";
  throttle->Apply({.max_rows_per_second = 100});
  throttle->RowsDone(1000);
  Decision capped = throttle->Decide();
  EXPECT_EQ(capped.control, Control::kThrottle);
  EXPECT_NE(capped.reason.find("rate cap 100 rows/s"), std::string::npos) << capped.reason;
  throttle->Apply({.max_rows_per_second = 0});
  EXPECT_EQ(throttle->Decide().control, Control::kContinue) << "0 lifts the cap";
}

TEST_F(ThrottleChangeTest, AChangedReplicaLagLimitJudgesTheProbesMeasurement) {
  auto throttle = Make({});
  lag_ms_ = 3000;
  EXPECT_EQ(throttle->Decide().control, Control::kContinue) << "3s is under the probe's 5s";
  EXPECT_EQ(throttle->LastMeasured(kReplicaLagProbe), 3000);
  throttle->Apply({.max_replica_lag = Millis(2000)});
  Decision held = Later(*throttle);
  EXPECT_EQ(held.control, Control::kThrottle);
  EXPECT_NE(held.reason.find("replica lag 3.0s > 2.00s"), std::string::npos) << held.reason;
  lag_ms_ = std::nullopt;
  EXPECT_EQ(Later(*throttle).reason, "replica lag unknown") << "still fails closed";
  EXPECT_FALSE(throttle->LastMeasured(kReplicaLagProbe));
  throttle->Apply({.max_replica_lag = Millis(0)});
  EXPECT_EQ(Later(*throttle).control, Control::kContinue) << "0: no waiting for replicas";
  EXPECT_FALSE(throttle->LastMeasured("load"));
}

}  // namespace
}  // namespace tandem::backfill
