// The rollback rehearsal on a real PostgreSQL: a scratch schema with the
// affected table's structure and a sample of its rows, every phase timed
// and extrapolated, the scratch schemas gone afterwards (also after a
// failure injected part-way), the real table untouched; and the runbook
// quoting the rehearsed times.
#include <gtest/gtest.h>

#include "backends/backend.h"
#include "core/runner.h"
#include "core/scratch.h"
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

// Orders with a stored generated column, a foreign key to customers (both
// in the migrated schema, so both are copied) and one to crm.accounts (in
// another schema, which the copy leaves out).
class RehearseFidelityTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(
        "CREATE SCHEMA crm; CREATE TABLE crm.accounts (id int PRIMARY KEY);"
        "INSERT INTO crm.accounts SELECT generate_series(1, 10)");
    Exec(
        "CREATE TABLE customers (id serial PRIMARY KEY, name text);"
        "INSERT INTO customers (name) SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE 'c' || i END "
        "FROM generate_series(1, 50) i;"
        "CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES "
        "customers ON DELETE CASCADE, amount numeric NOT NULL, amount_cents bigint GENERATED "
        "ALWAYS AS ((amount * 100)::bigint) STORED, note text, account_id int REFERENCES "
        "crm.accounts);"
        "INSERT INTO orders (customer_id, amount, note) SELECT 1 + i % 50, i, CASE WHEN i % 2 = "
        "0 THEN NULL ELSE 'n' END FROM generate_series(1, 200) i");
  }
  static constexpr char kOrdersNote[] = R"y(operations:
  - alter_column:
      table: orders
      column: note
      nullable: false
      up: coalesce(note, 'none')
      down: note
)y";
  static constexpr char kCustomersName[] = R"y(  - alter_column:
      table: customers
      column: name
      nullable: false
      up: coalesce(name, 'unknown')
      down: name
)y";
};

TEST_F(RehearseFidelityTest, CopyKeepsGeneratedColumnsAndForeignKeysBetweenCopiedTables) {
  std::string file = WriteMigration("03_both.yaml", std::string(kOrdersNote) + kCustomersName);
  auto database = backend::OpenDatabase(url_);
  ASSERT_TRUE(database.ok()) << database.status().message();
  auto migration = reader::ReadMigrationFile(file);
  ASSERT_TRUE(migration.ok()) << migration.status().message();
  core::SilentReporter reporter;
  core::Runner runner(**database, {}, reporter);
  auto plan = runner.Plan(*migration);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  auto conn = (*database)->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  auto scratch = core::MakePostgresScratch({**database, **conn, *plan, std::nullopt, "fidelity"});
  ASSERT_TRUE(scratch.ok()) << scratch.status().message();
  const std::string copy = scratch->schema;
  EXPECT_EQ(scratch->rows_copied, 250);
  ASSERT_EQ(scratch->notes.size(), 1u);
  EXPECT_NE(
      scratch->notes[0].find("orders_account_id_fkey of orders (to crm.accounts) is left out"),
      std::string::npos)
      << scratch->notes[0];
  // The generated column is generated in the copy too, and computed there.
  EXPECT_EQ(Scalar("SELECT a.attgenerated FROM pg_attribute a WHERE a.attrelid = '" + copy +
                   ".orders'::regclass AND a.attname = 'amount_cents'"),
            "s");
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + copy + ".orders WHERE amount_cents = amount * 100"),
            "200");
  // The foreign key points at the copy of customers, with its action.
  EXPECT_EQ(Scalar("SELECT string_agg(confrelid::regclass::text || ' ' || confdeltype::text, "
                   "', ') FROM pg_constraint WHERE conrelid = '" +
                   copy + ".orders'::regclass AND contype = 'f'"),
            copy + ".customers c");
  Exec("DELETE FROM " + copy + ".customers WHERE id = 1");
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + copy + ".orders WHERE customer_id = 1"), "0")
      << "ON DELETE CASCADE acts inside the copy";
  EXPECT_EQ(Scalar("SELECT count(*) FROM orders WHERE customer_id = 1"), "4") << "not outside it";
  ASSERT_TRUE(core::RemovePostgresScratch(**conn, *scratch).ok());
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname LIKE '" + copy + "%'"), "0");
}

TEST_F(RehearseFidelityTest, RehearsalPassesAndSaysWhichForeignKeysTheCopyLeftOut) {
  std::string file = WriteMigration("02_note.yaml", kOrdersNote);
  CommandResult run = Tandem({"rehearse", file, "--rows", "100"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  // customers is copied too: the version schema reads every table.
  EXPECT_NE(run.out.find("on 150 of 250 rows: passed"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("copy: foreign key orders_account_id_fkey of orders (to crm.accounts) "
                         "is left out of the copy"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("customer_id_fkey"), std::string::npos) << "kept: " << run.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tandem\\_rehearsal%'"),
            "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM orders WHERE note IS NULL"), "100") << "untouched";
}

}  // namespace
}  // namespace tandem::testing
