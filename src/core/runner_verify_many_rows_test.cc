// The SQLite verifier over a table of several rowid ranges (each checked by
// its own reader, in parallel): one wrong row among many is still found and
// named by its key, and the NULL drift of a table in parity counts what
// `up` gives for the rows each version wrote.
#include <gtest/gtest.h>

#include "core/runner.h"
#include "core/testing/sqlite_runner_fixture.h"

namespace tandem::core::testing {
namespace {

// `up` is NULL for the names 'user…5' (one row in ten has such a name, one
// in three has none: coalesce gives 'anonymous').
constexpr char kNickname[] = R"y(operations:
  - add_column:
      table: users
      column: {name: nickname, type: TEXT, nullable: true}
      up: CASE WHEN name LIKE '%5' THEN NULL ELSE coalesce(name, 'anonymous') END
)y";

constexpr int kRows = 160000;  // more than three of the verifier's ranges

class RunnerVerifyManyRowsTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(kRows);
    Status started = (*NewRunner())->Start(WriteMigration("02_nick.yaml", kNickname), {});
    ASSERT_TRUE(started.ok()) << started.message();
  }

  const verify::ColumnParity* Up(const verify::Report& report) {
    for (const auto& parity : report.parity) {
      if (parity.direction == "up") return &parity;
    }
    return nullptr;
  }
};

TEST_F(RunnerVerifyManyRowsTest, OneWrongRowAmongManyIsNamedByItsKey) {
  Exec("DROP TRIGGER _tandem_up_update_users");
  Exec("DROP TRIGGER _tandem_new_update_users");
  Exec("UPDATE users SET nickname = 'wrong' WHERE id = 123457");
  auto pass = (*NewRunner())->Verify({});
  ASSERT_TRUE(pass.ok()) << pass.status().message();
  const verify::Report& report = pass->report;
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.rows, kRows);
  const verify::ColumnParity* up = Up(report);
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->checked, kRows);
  EXPECT_EQ(up->mismatches, 1);
  EXPECT_EQ(up->example_keys, std::vector<std::string>{"123457"});
}

TEST_F(RunnerVerifyManyRowsTest, ATableInParityCountsTheNullsUpGivesForEachVersionsRows) {
  // The new version writes 1,000 rows (their old names stay as they were:
  // nickname has no `down`); for 100 of them the new column is NULL where
  // `up` of the old name is not, a drift the report must show.
  Exec("UPDATE users__02_nick SET nickname = NULL WHERE id % 160 = 1");
  auto pass = (*NewRunner())->Verify({});
  ASSERT_TRUE(pass.ok()) << pass.status().message();
  const verify::Report& report = pass->report;
  const verify::ColumnParity* up = Up(report);
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->checked, kRows - 1000);
  EXPECT_EQ(up->mismatches, 0);
  ASSERT_EQ(report.drift.size(), 1u);
  double up_nulls =
      std::stod(Scalar("SELECT count(*) FROM users WHERE (CASE WHEN name LIKE '%5' THEN NULL ELSE "
                       "coalesce(name, 'anonymous') END) IS NULL"));
  double column_nulls = std::stod(Scalar("SELECT count(*) FROM users WHERE nickname IS NULL"));
  EXPECT_GT(column_nulls, up_nulls);
  EXPECT_DOUBLE_EQ(report.drift[0].expected_null_ratio, up_nulls / kRows);
  EXPECT_DOUBLE_EQ(report.drift[0].null_ratio, column_nulls / kRows);
}

}  // namespace
}  // namespace tandem::core::testing
