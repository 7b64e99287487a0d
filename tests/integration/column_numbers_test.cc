// A table near PostgreSQL's 1600 attribute numbers: every column a
// migration adds keeps its number after rollback or complete drops it, so
// `plan` says how many are left and `start` refuses a migration that needs
// more, before changing anything.
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

class ColumnNumbersTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    // 2 live columns and 1593 dropped ones: 1595 numbers used, 5 left.
    Exec(R"sql(
CREATE TABLE wide (id bigserial PRIMARY KEY, name text);
DO $$
BEGIN
  EXECUTE (SELECT 'ALTER TABLE wide ' || string_agg(format('ADD COLUMN c%s int', i), ', ')
           FROM generate_series(1, 1593) i);
  EXECUTE (SELECT 'ALTER TABLE wide ' || string_agg(format('DROP COLUMN c%s', i), ', ')
           FROM generate_series(1, 1593) i);
END $$;
INSERT INTO wide (name) VALUES ('a'), ('b');
)sql");
  }
  // A migration adding `count` nullable columns to wide.
  std::string AddColumns(const std::string& name, int count) {
    std::string yaml = "operations:\n";
    for (int i = 0; i < count; ++i) {
      yaml += "  - add_column:\n      table: wide\n      column: {name: extra" + std::to_string(i) +
              ", type: int, nullable: true}\n";
    }
    return WriteMigration(name + ".yaml", yaml);
  }
};

TEST_F(ColumnNumbersTest, PlanSaysHowManyAreLeftAndRollbackDoesNotGiveThemBack) {
  std::string path = AddColumns("cn_fits", 2);
  CommandResult plan = Tandem({"plan", path});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("TD201: table \"wide\" has 5 of 1600 column numbers left"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("leaving 3"), std::string::npos) << plan.out;
  CommandResult start = Tandem({"start", path});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  CommandResult rollback = Tandem({"rollback"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  CommandResult again = Tandem({"plan", path});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("has 3 of 1600 column numbers left"), std::string::npos) << again.out;
}

TEST_F(ColumnNumbersTest, StartRefusesAMigrationThatNeedsMoreThanAreLeft) {
  std::string path = AddColumns("cn_too_many", 6);
  std::string schema_before = SchemaDump(url_);
  for (const char* command : {"plan", "start"}) {
    CommandResult result = Tandem({command, path});
    EXPECT_EQ(result.exit_code, 1) << command << result.out << result.err;
    EXPECT_NE(
        result.err.find("TD201 " + path + ": table \"wide\" has 5 of 1600 column numbers left"),
        std::string::npos)
        << result.err;
    EXPECT_NE(result.err.find("adds 6 columns"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("recreate the table"), std::string::npos) << result.err;
  }
  EXPECT_EQ(SchemaDump(url_), schema_before);
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'tandem'"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM wide"), "2");
}

}  // namespace
}  // namespace tandem::testing
