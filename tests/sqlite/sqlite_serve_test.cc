// `tandem serve` on a SQLite file: the embedded default has the same
// endpoint, and Prometheus' linter accepts it.
#include <nlohmann/json.hpp>

#include "sqlite/sqlite_fixture.h"
#include "support/served_metrics.h"

namespace tandem::testing {
namespace {

class SqliteServeTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(2000);
    ASSERT_EQ(
        Tandem({"start", "--skip-backfill", WriteMigration("02_name.yaml", kUsersNameNotNull)})
            .exit_code,
        0);
  }
};

TEST_F(SqliteServeTest, MetricsAndStatusOfTheMigrationInProgress) {
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  HttpAnswer metrics = served.Get("/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_EQ(PromtoolComplaints(metrics.body), "");
  EXPECT_EQ(MetricValue(metrics.body, "tandem_database_up"), 1.0) << metrics.body;
  EXPECT_EQ(MetricValue(metrics.body, "tandem_migration_in_progress"), 1.0) << metrics.body;
  EXPECT_NE(metrics.body.find("tandem_migration_info{migration=\"02_name\""), std::string::npos)
      << metrics.body;

  ASSERT_EQ(Tandem({"backfill"}).exit_code, 0);
  ASSERT_EQ(Tandem({"verify"}).exit_code, 0);
  std::string verified = served.Get("/metrics").body;
  // SQLite keeps no per-table checkpoints: the migration's line says it.
  EXPECT_EQ(MetricValue(verified, "tandem_migration_backfill_done"), 1.0) << verified;
  EXPECT_EQ(MetricValue(verified, "tandem_verify_passed"), 1.0) << verified;
  EXPECT_EQ(MetricValue(verified, "tandem_verify_parity_ratio"), 1.0) << verified;
  EXPECT_EQ(PromtoolComplaints(verified), "");

  HttpAnswer status = served.Get("/api/v1/status");
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(nlohmann::json::parse(status.body)["active"]["name"], "02_name");
  EXPECT_EQ(served.Stop(), 0);
}

// A switch through the API takes the runner lock, which SQLite keeps in a
// lock file for as long as its database is open: serve must let it go
// after the change, or no other command could run until serve stops.
TEST_F(SqliteServeTest, ASwitchThroughTheApiLeavesTheRunnerLockFree) {
  ASSERT_EQ(Tandem({"backfill"}).exit_code, 0);
  ASSERT_EQ(Tandem({"verify"}).exit_code, 0);
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  std::map<std::string, std::string> bearer = {{"Authorization", "Bearer " + served.token()}};
  HttpAnswer switched = served.Send("POST", "/api/v1/switch", bearer);
  ASSERT_EQ(switched.status, 200) << switched.body;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "switched");

  CommandResult back = Tandem({"switch", "--back"});
  EXPECT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "active");
  HttpAnswer again = served.Send("POST", "/api/v1/switch", bearer);
  ASSERT_EQ(again.status, 200) << again.body;
  HttpAnswer flipped = served.Send("POST", "/api/v1/switch/back", bearer);
  ASSERT_EQ(flipped.status, 200) << flipped.body;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "active");
  EXPECT_EQ(Tandem({"switch"}).exit_code, 0) << "the lock is free after each change";
  EXPECT_EQ(served.Stop(), 0);
}

}  // namespace
}  // namespace tandem::testing
