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

}  // namespace
}  // namespace tandem::testing
