// SQLite's backfill progress per table, seen through `tandem serve` during
// a real backfill of a real file while an application keeps writing: the
// rows done grow in /api/v1/status and /metrics, the application's writes
// all go through, and the finished table says done with every row counted.
#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "sqlite/sqlite_fixture.h"
#include "support/served_metrics.h"
#include "support/wait.h"

namespace tandem::testing {
namespace {

class SqliteBackfillProgressTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(20000);
    ASSERT_EQ(
        Tandem({"start", "--skip-backfill", WriteMigration("02_name.yaml", kUsersNameNotNull)})
            .exit_code,
        0);
  }

  // The users table's entry of /api/v1/status's backfill list (null when none).
  static nlohmann::json UsersProgress(const ServedTandem& served) {
    HttpAnswer status = served.Get("/api/v1/status");
    nlohmann::json parsed = nlohmann::json::parse(status.body, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("backfill")) return nullptr;
    for (const auto& table : parsed["backfill"]) {
      if (table.value("table", "") == "users") return table;
    }
    return nullptr;
  }
};

TEST_F(SqliteBackfillProgressTest, StatusShowsRowsDoneGrowWhileTheApplicationWrites) {
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  EXPECT_TRUE(UsersProgress(served).is_null()) << "no progress before the backfill ran";

  // About 5 s of backfill.
  int backfill = SpawnTandem(url_, {"backfill", "--max-rows-per-second", "4000"});
  nlohmann::json first;
  ASSERT_TRUE(WaitUntil(
      [&] {
        first = UsersProgress(served);
        return first.is_object() && first["rows_scanned"].get<long long>() > 0;
      },
      std::chrono::seconds(10)))
      << served.Get("/api/v1/status").body;
  EXPECT_EQ(first["state"], "running") << first.dump();
  EXPECT_EQ(first["estimated_total"], 20000) << first.dump();
  EXPECT_LT(first["rows_scanned"].get<long long>(), 20000) << first.dump();

  // The application writes meanwhile; none of its writes fails.
  for (int i = 0; i < 50; ++i) {
    Exec("INSERT INTO users (name) VALUES ('app " + std::to_string(i) + "')");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  nlohmann::json later;
  ASSERT_TRUE(WaitUntil(
      [&] {
        later = UsersProgress(served);
        return later.is_object() &&
               later["rows_scanned"].get<long long>() > first["rows_scanned"].get<long long>();
      },
      std::chrono::seconds(10)))
      << "the rows done move on: " << first.dump();
  std::string metrics = served.Get("/metrics").body;
  EXPECT_TRUE(MetricValue(metrics, "tandem_backfill_rows_done{table=\"users\"}")) << metrics;
  EXPECT_EQ(PromtoolComplaints(metrics), "");

  ASSERT_EQ(WaitTandem(backfill), 0);
  nlohmann::json done = UsersProgress(served);
  ASSERT_TRUE(done.is_object());
  EXPECT_EQ(done["state"], "done") << done.dump();
  EXPECT_EQ(done["done"], true) << done.dump();
  EXPECT_EQ(done["rows_scanned"], done["estimated_total"]) << done.dump();
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name LIKE 'app %'"), "50");
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_backfill_progress"), "1");
}

}  // namespace
}  // namespace tandem::testing
