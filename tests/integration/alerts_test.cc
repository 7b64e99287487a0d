// The file's alert thresholds on a real server: while a real backfill runs,
// an application's rolled-back transactions push the error rate over
// `alerts.error_rate`; tandem records one "alert" event when it fires and
// one when it clears (never one per sample), the command hook receives
// both, and `tandem serve`'s /metrics shows the alert and its threshold.
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/items_table.h"
#include "integration/pg_fixture.h"
#include "support/json_lines.h"
#include "support/served_metrics.h"
#include "support/wait.h"

namespace tandem::testing {
namespace {

using Clock = std::chrono::steady_clock;

class AlertsTest : public PgTest {
 protected:
  void SetUpDatabase() override { Exec(kItems); }

  std::string AlertOutcomes() {
    return Scalar(
        "SELECT coalesce(string_agg(outcome || ':' || (detail::json->>'name'), ',' ORDER BY id), "
        "'') FROM tandem.events WHERE kind = 'alert'");
  }

  // Rolled-back transactions, as a failing application makes them, for `for_how_long`.
  void RollBackTransactions(std::chrono::milliseconds for_how_long) {
    std::unique_ptr<backend::Connection> app = Connect();
    ASSERT_TRUE(app);
    Clock::time_point until = Clock::now() + for_how_long;
    while (Clock::now() < until) {
      ASSERT_TRUE(app->Execute("BEGIN; SELECT count(*) FROM items WHERE id < 10; ROLLBACK").ok());
    }
  }
};

TEST_F(AlertsTest, AnErrorRateOverItsThresholdFiresOnceAndClearsOnceDuringABackfill) {
  std::string hooked = TempDir() + "/alert_hook.jsonl";
  std::remove(hooked.c_str());
  std::string file = WriteMigration(
      "02_code.yaml", kCodeToInteger + "alerts: {error_rate: 20}\nhooks:\n  command: cat >> " +
                          hooked + "; echo >> " + hooked + "\n  events: [alert]\n");
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file}).exit_code, 0);

  // About 15 s of backfill: room for the rate to go up and come down.
  int backfill =
      SpawnTandem(url_, {"backfill", "--batch-size", "200", "--max-rows-per-second", "4000"});
  ASSERT_TRUE(WaitForRunnerLock());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  RollBackTransactions(std::chrono::seconds(5));
  ASSERT_EQ(AlertOutcomes(), "fired:error_rate") << "fired while the application failed";
  CommandResult status = Tandem({"status", "--json"});
  nlohmann::json alerts = nlohmann::json::parse(status.out, nullptr, false)["alerts"];
  ASSERT_EQ(alerts.size(), 1u) << status.out;
  EXPECT_EQ(alerts[0]["name"], "error_rate");
  EXPECT_EQ(alerts[0]["firing"], true);
  EXPECT_GT(alerts[0]["value"].get<double>(), 20.0);
  EXPECT_NE(Tandem({"status"}).out.find("alert firing: error_rate at "), std::string::npos);

  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  std::string firing = served.Get("/metrics").body;
  EXPECT_EQ(MetricValue(firing, "tandem_alert_firing{name=\"error_rate\"}"), 1.0) << firing;
  EXPECT_EQ(MetricValue(firing, "tandem_alert_threshold{name=\"error_rate\"}"), 20.0) << firing;
  EXPECT_EQ(PromtoolComplaints(firing), "");
  // Serve watches the thresholds too; stopped here so the clearing below is
  // the backfill's alone to record (the next test watches serve's).
  EXPECT_EQ(served.Stop(), 0);

  // The application recovers: the backfill's own commits bring the rate down.
  EXPECT_TRUE(
      WaitUntil([&] { return AlertOutcomes() != "fired:error_rate"; }, std::chrono::seconds(10)));
  EXPECT_EQ(AlertOutcomes(), "fired:error_rate,cleared:error_rate");
  ASSERT_EQ(WaitTandem(backfill), 0);
  EXPECT_EQ(AlertOutcomes(), "fired:error_rate,cleared:error_rate") << "one event each way";

  nlohmann::json fired = nlohmann::json::parse(
      Scalar("SELECT detail FROM tandem.events WHERE kind = 'alert' ORDER BY id LIMIT 1"));
  EXPECT_EQ(fired["name"], "error_rate");
  EXPECT_EQ(fired["threshold"], 20.0);
  EXPECT_GT(fired["value"].get<double>(), 20.0) << fired.dump();

  std::vector<nlohmann::json> calls = JsonLines(ReadFile(hooked));
  ASSERT_EQ(calls.size(), 2u) << ReadFile(hooked);
  EXPECT_EQ(calls[0]["event"], "alert");
  EXPECT_EQ(calls[0]["outcome"], "fired");
  EXPECT_EQ(calls[1]["outcome"], "cleared");

  ServedTandem after_backfill(url_);
  std::string after = after_backfill.Get("/metrics").body;
  EXPECT_EQ(MetricValue(after, "tandem_alert_firing{name=\"error_rate\"}"), 0.0) << after;
}

TEST_F(AlertsTest, ServeAloneRecordsAnAlertThatFiresAndClearsOnce) {
  ASSERT_EQ(Tandem({"start", "--skip-backfill",
                    WriteMigration("02_code.yaml", kCodeToInteger + "alerts: {error_rate: 20}\n")})
                .exit_code,
            0);
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  RollBackTransactions(std::chrono::seconds(5));
  ASSERT_EQ(AlertOutcomes(), "fired:error_rate") << served.errors();
  // Committed transactions alone now: the rate comes down to 0.
  std::unique_ptr<backend::Connection> app = Connect();
  Clock::time_point until = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < until && AlertOutcomes() == "fired:error_rate") {
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(app->Execute("SELECT 1").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(AlertOutcomes(), "fired:error_rate,cleared:error_rate");
  EXPECT_EQ(MetricValue(served.Get("/metrics").body, "tandem_alert_firing{name=\"error_rate\"}"),
            0.0);
}

}  // namespace
}  // namespace tandem::testing
