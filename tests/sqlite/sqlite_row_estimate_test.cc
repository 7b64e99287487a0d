// Row counts on SQLite come from the table, not from its rowid span: one
// row with a far rowid must not make `plan` expect a billion rows or the
// backfill's ETA run to days.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

constexpr int kRows = 30000;

class SqliteRowEstimateTest : public SqliteTest {
 protected:
  // kRows rows with dense ids, and one more far away.
  void SetUpDatabase() override {
    CreateUsers(kRows);
    Exec("INSERT INTO users (id, name) VALUES (1000000000, 'far')");
  }
};

TEST_F(SqliteRowEstimateTest, PlanCountsTheRows) {
  auto planned = Tandem({"plan", WriteMigration("02_name.yaml", kUsersNameNotNull)});
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_NE(planned.out.find("copies ~" + std::to_string(kRows + 1) + " rows"), std::string::npos)
      << planned.out;
}

TEST_F(SqliteRowEstimateTest, BackfillProgressCountsTheRows) {
  auto started = Tandem({"--json", "start", WriteMigration("02_name.yaml", kUsersNameNotNull)});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  std::istringstream lines(started.out);
  int reports = 0;
  for (std::string line; std::getline(lines, line);) {
    auto event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_discarded() || event.value("event", "") != "backfill_progress") continue;
    ++reports;
    long long total = event["estimated_total"];
    long long scanned = event["rows_scanned"];
    EXPECT_GE(total, kRows) << line;
    EXPECT_LE(total, kRows + 1) << line;
    EXPECT_LE(scanned, total) << line;
  }
  EXPECT_GT(reports, 0) << started.out;
}

}  // namespace
}  // namespace tandem::testing
