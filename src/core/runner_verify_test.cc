// The SQLite verifier in process, through Runner::Verify: a mismatch planted
// behind the dual-write triggers' back is reported by the row's key, stored
// as a failed pass, and keeps complete from dropping the old column.
#include <gtest/gtest.h>

#include "core/runner.h"
#include "core/testing/sqlite_runner_fixture.h"

namespace tandem::core::testing {
namespace {

constexpr char kInvariant[] = R"y(verify:
  invariants:
    - {name: name_not_empty, table: users, check: name <> ''}
)y";

class RunnerVerifyTest : public SqliteRunnerTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(300);
    Status started =
        (*NewRunner())
            ->Start(WriteMigration("02_name.yaml", std::string(kUsersNameNotNull) + kInvariant),
                    {});
    ASSERT_TRUE(started.ok()) << started.message();
  }

  const verify::ColumnParity* Parity(const verify::Report& report, const std::string& direction) {
    for (const auto& parity : report.parity) {
      if (parity.table == "users" && parity.direction == direction) return &parity;
    }
    return nullptr;
  }
};

TEST_F(RunnerVerifyTest, AMismatchIsReportedByTheRowsKey) {
  // Without the trigger that keeps the new column in step with the old one.
  Exec("DROP TRIGGER _tandem_up_update_users");
  Exec("UPDATE users SET _tandem_new_name = 'wrong' WHERE id = 7");
  auto pass = (*NewRunner())->Verify({});
  ASSERT_TRUE(pass.ok()) << pass.status().message();
  const verify::Report& report = pass->report;
  EXPECT_FALSE(report.passed());
  EXPECT_EQ(report.flags & verify::kParityMismatch, verify::kParityMismatch) << report.flags;
  const verify::ColumnParity* up = Parity(report, "up");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->column, "_tandem_new_name");
  EXPECT_EQ(up->mismatches, 1);
  EXPECT_EQ(up->example_keys, std::vector<std::string>{"7"});
  EXPECT_EQ(report.rows, 300);

  MigrationRecord record = Record("02_name");
  auto runs = State().VerifyRuns(record.id);
  ASSERT_TRUE(runs.ok()) << runs.status().message();
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_FALSE(runs->back().passed);
  EXPECT_EQ(runs->back().flags, report.flags);

  Status complete = (*NewRunner())->Complete();
  EXPECT_EQ(complete.kind(), ErrorKind::kRefused) << complete.message();
  EXPECT_NE(complete.message().find("verification of \"02_name\" failed"), std::string::npos)
      << complete.message();
  EXPECT_EQ(Record("02_name").phase, kPhaseActive);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name IS NULL"), "100");
}

TEST_F(RunnerVerifyTest, ARowOfTheNewVersionThatBreaksDownOrAnInvariantIsNamed) {
  // The new version writes row 11 with an empty name: an invariant
  // violation. Row 12 then gets an old name `down` cannot give.
  Exec("UPDATE users__02_name SET name = '' WHERE id = 11");
  Exec("UPDATE users__02_name SET name = 'new twelve' WHERE id = 12");
  Exec("DROP TRIGGER _tandem_up_update_users");
  Exec("UPDATE users SET name = 'old twelve' WHERE id = 12");
  auto pass = (*NewRunner())->Verify({});
  ASSERT_TRUE(pass.ok()) << pass.status().message();
  const verify::Report& report = pass->report;
  const verify::ColumnParity* down = Parity(report, "down");
  ASSERT_NE(down, nullptr);
  EXPECT_EQ(down->mismatches, 1);
  EXPECT_EQ(down->example_keys, std::vector<std::string>{"12"});
  ASSERT_EQ(report.invariants.size(), 1u);
  EXPECT_EQ(report.invariants[0].name, "name_not_empty");
  EXPECT_EQ(report.invariants[0].violations, 1);
  EXPECT_EQ(report.invariants[0].example_keys, std::vector<std::string>{"11"});
  EXPECT_EQ(report.flags & verify::kInvariantViolation, verify::kInvariantViolation);
}

}  // namespace
}  // namespace tandem::core::testing
