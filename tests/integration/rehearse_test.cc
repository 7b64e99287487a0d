// The rollback rehearsal on a real PostgreSQL: a scratch schema with the
// affected table's structure and a sample of its rows, every phase timed
// and extrapolated, the scratch schemas gone afterwards (also after a
// failure injected part-way), the real table untouched; and the runbook
// quoting the rehearsed times.
#include <gtest/gtest.h>

#include "backends/backend.h"
#include "core/runner.h"
#include "integration/pg_fixture.h"
#include "reader/reader.h"
#include "support/users_migrations.h"

namespace tandem::testing {
namespace {

class RehearseTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(
        "CREATE TABLE users (id serial PRIMARY KEY, name text);"
        "INSERT INTO users (name) SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE 'user ' || i END "
        "FROM generate_series(1, 500) i");
    file_ = WriteMigration("02_name.yaml", kUsersNameNotNull);
  }
  Result<core::Rehearsal> Rehearse(const core::RehearseOptions& options) {
    auto database = backend::OpenDatabase(url_);
    EXPECT_TRUE(database.ok());
    auto migration = reader::ReadMigrationFile(file_);
    EXPECT_TRUE(migration.ok());
    core::SilentReporter reporter;
    core::Runner runner(**database, {}, reporter);
    return runner.Rehearse(*migration, options);
  }
  std::string ScratchSchemas() {
    return Scalar("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tandem\\_rehearsal%'");
  }
  void ExpectUntouched() {
    EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' "
                     "AND column_name LIKE '\\_tandem%'"),
              "0");
    EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name IS NULL"), "166");
  }

  std::string file_;
};

TEST_F(RehearseTest, SampleTimedExtrapolatedAndRemoved) {
  core::RehearseOptions sample;
  sample.rows = 100;
  auto rehearsal = Rehearse(sample);
  ASSERT_TRUE(rehearsal.ok()) << rehearsal.status().message();
  EXPECT_EQ(rehearsal->rows_copied, 100);
  EXPECT_EQ(rehearsal->rows_real, 500);
  ASSERT_EQ(rehearsal->phases.size(), 6u);
  EXPECT_DOUBLE_EQ(rehearsal->phases[1].extrapolated_seconds, rehearsal->phases[1].seconds * 5);
  EXPECT_GT(rehearsal->RollbackSeconds(), 0);
  EXPECT_EQ(ScratchSchemas(), "0");
  ExpectUntouched();
  CommandResult runbook = Tandem({"runbook", file_});
  ASSERT_EQ(runbook.exit_code, 0) << runbook.err;
  EXPECT_NE(runbook.out.find("## Fastest safe rollback per phase"), std::string::npos);
  EXPECT_NE(runbook.out.find("on 100 rows copied"), std::string::npos) << runbook.out;
}

TEST_F(RehearseTest, InjectedFailureLeavesNoScratchSchema) {
  core::RehearseOptions injected;
  injected.fail_after = "backfill";
  auto failed = Rehearse(injected);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("failure injected after backfill"), std::string::npos);
  EXPECT_EQ(ScratchSchemas(), "0");
  ExpectUntouched();
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.governance WHERE kind = 'rehearsal' AND detail "
                   "LIKE '%\"passed\":false%'"),
            "1");
}

TEST_F(RehearseTest, CommandPrintsEachPhase) {
  CommandResult run = Tandem({"rehearse", file_, "--rows", "50", "--by", "ana"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("on 50 of 500 rows: passed"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("switch back"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("rollback from switched"), std::string::npos) << run.out;
  EXPECT_EQ(ScratchSchemas(), "0");
}

}  // namespace
}  // namespace tandem::testing
