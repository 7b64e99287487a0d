#include "core/alerts.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tandem::core {
namespace {

TEST(AlertTrackerTest, FiresOnceAndClearsOnceAcrossManySamples) {
  AlertTracker tracker({{kErrorRateAlert, 5}});
  std::vector<Event> events;
  for (double value : {1.0, 6.0, 9.0, 7.0, 5.0, 4.0, 3.0}) {
    if (auto e = tracker.Observe(kErrorRateAlert, value, "backfill")) events.push_back(*e);
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "alert");
  EXPECT_EQ(events[0].outcome, "fired");
  EXPECT_EQ(events[1].outcome, "cleared");
  nlohmann::json fired = nlohmann::json::parse(events[0].detail);
  EXPECT_EQ(fired["name"], "error_rate");
  EXPECT_EQ(fired["value"], 6.0);
  EXPECT_EQ(fired["threshold"], 5.0);
  EXPECT_EQ(nlohmann::json::parse(events[1].detail)["value"], 5.0);
}

TEST(AlertTrackerTest, NoValueAndUnknownAlertsChangeNothing) {
  AlertTracker tracker({{kReplicaLagAlert, 30}});
  EXPECT_FALSE(tracker.Observe(kReplicaLagAlert, std::nullopt, "backfill"));
  EXPECT_FALSE(tracker.Observe(kErrorRateAlert, 99, "backfill"));
  EXPECT_TRUE(tracker.Observe(kReplicaLagAlert, 31, "backfill"));
  EXPECT_FALSE(tracker.Observe(kReplicaLagAlert, std::nullopt, "backfill"));  // still firing
  EXPECT_FALSE(tracker.Observe(kReplicaLagAlert, 45, "backfill"));
}

TEST(AlertTrackerTest, AnAlertFiringInTheLogDoesNotFireAgain) {
  AlertTracker tracker({{kErrorRateAlert, 1}});
  tracker.AssumeFiring(kErrorRateAlert);
  EXPECT_FALSE(tracker.Observe(kErrorRateAlert, 50, "switch"));
  std::optional<Event> cleared = tracker.Observe(kErrorRateAlert, 0, "switch");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(cleared->outcome, "cleared");
}

TEST(ErrorRateTest, ShareOfRolledBackTransactions) {
  observe::Counters before{.rollbacks = 10, .commits = 100};
  observe::Counters after{.rollbacks = 13, .commits = 127};
  EXPECT_DOUBLE_EQ(*ErrorRatePercent(before, after), 10.0);
  EXPECT_FALSE(ErrorRatePercent(before, before));  // nothing ended
  observe::Counters reset{.rollbacks = 0, .commits = 5};
  EXPECT_FALSE(ErrorRatePercent(before, reset));
}

TEST(AlertStatesTest, TheNewestAlertEventOfEachNameDecides) {
  std::vector<AlertThreshold> thresholds = {{kErrorRateAlert, 2}, {kReplicaLagAlert, 10}};
  auto alert = [](const std::string& outcome, const std::string& name, double value) {
    return RecordedEvent{
        .event = {.kind = kAlertKind,
                  .outcome = outcome,
                  .detail = nlohmann::json{{"name", name}, {"value", value}}.dump()},
        .at = "",
        .id = 0};
  };
  std::vector<RecordedEvent> events = {alert("fired", "error_rate", 3),
                                       alert("fired", "replica_lag", 12),
                                       alert("cleared", "error_rate", 1)};
  std::vector<AlertState> states = AlertStates(thresholds, events);
  ASSERT_EQ(states.size(), 2u);
  EXPECT_FALSE(states[0].firing);
  EXPECT_EQ(states[0].value, 1);
  EXPECT_TRUE(states[1].firing);
  EXPECT_EQ(states[1].threshold, 10);
}

TEST(AlertThresholdsTest, ReplicaLagInSeconds) {
  plan::Settings settings;
  settings.alert_replica_lag = Millis(1500);
  std::vector<AlertThreshold> t = AlertThresholds(settings);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].name, "replica_lag");
  EXPECT_DOUBLE_EQ(t[0].threshold, 1.5);
}

}  // namespace
}  // namespace tandem::core
