// Lifecycle rules on a real server: phase order, idempotence, changed files,
// the backfill never overwriting writes of the new version, migrate DIR.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kUsers[] = R"sql(
CREATE TABLE users (id bigserial PRIMARY KEY, name text, email text NOT NULL);
INSERT INTO users (name, email)
  SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE 'user' || i END, 'u' || i || '@example.com'
  FROM generate_series(1, 5000) i;
)sql";

constexpr char kNameNotNull[] = R"y(operations:
  - alter_column:
      table: users
      column: name
      nullable: false
      up: SELECT CASE WHEN name IS NULL THEN 'anonymous' ELSE name END
      down: name
)y";

class LifecycleTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (!HasFatalFailure()) Exec(kUsers);
  }
};

TEST_F(LifecycleTest, CompleteAndRollbackWithoutStartAreRefused) {
  CommandResult complete = Tandem({"complete"});
  EXPECT_EQ(complete.exit_code, 1) << complete.err;
  EXPECT_NE(complete.err.find("no migration is in progress"), std::string::npos) << complete.err;
  CommandResult rollback = Tandem({"rollback"});
  EXPECT_EQ(rollback.exit_code, 1) << rollback.err;
}

TEST_F(LifecycleTest, CompleteIsRefusedUntilTheBackfillHasRun) {
  std::string file = WriteMigration("02_name.yaml", kNameNotNull);
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file}).exit_code, 0);
  CommandResult early = Tandem({"complete"});
  EXPECT_EQ(early.exit_code, 1) << early.err;
  EXPECT_NE(early.err.find("backfill"), std::string::npos) << early.err;
  // Nothing was dropped: the old column still holds its NULLs.
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name IS NULL"), "1666");
  ASSERT_EQ(Tandem({"backfill"}).exit_code, 0);
  CommandResult complete = Tandem({"complete"});
  ASSERT_EQ(complete.exit_code, 0) << complete.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name = 'anonymous'"), "1666");
}

TEST_F(LifecycleTest, SecondStartWhileActiveIsRefused) {
  ASSERT_EQ(Tandem({"start", WriteMigration("02_name.yaml", kNameNotNull)}).exit_code, 0);
  CommandResult second = Tandem({"start", WriteMigration("03_other.yaml", R"y(operations:
  - add_column: {table: users, column: {name: note, type: text, nullable: true}}
)y")});
  EXPECT_EQ(second.exit_code, 1) << second.err;
  EXPECT_NE(second.err.find("\"02_name\" is in progress"), std::string::npos) << second.err;
}

TEST_F(LifecycleTest, RerunningACompletedMigrationIsANoOpAndAChangedFileIsRefused) {
  std::string file = WriteMigration("02_name.yaml", kNameNotNull);
  ASSERT_EQ(Tandem({"start", "--complete", file}).exit_code, 0);
  std::string schema = SchemaDump(url_);
  CommandResult again = Tandem({"start", "--complete", file});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already completed"), std::string::npos) << again.out;
  EXPECT_EQ(SchemaDump(url_), schema);
  std::string changed = WriteMigration("02_name.yaml", std::string(kNameNotNull) + "# edited\n");
  CommandResult refused = Tandem({"start", changed});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("different file"), std::string::npos) << refused.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.migrations"), "1");
}

TEST_F(LifecycleTest, BackfillDoesNotOverwriteRowsWrittenThroughTheNewVersion) {
  ASSERT_EQ(
      Tandem({"start", "--skip-backfill", WriteMigration("02_name.yaml", kNameNotNull)}).exit_code,
      0);
  // Row 3 has a NULL name; the new version gives it a name of its own
  // before the backfill reaches it.
  Exec("SET search_path TO public_02_name; UPDATE users SET name = 'chosen by v2' WHERE id = 3");
  EXPECT_EQ(Scalar("SELECT name FROM public.users WHERE id = 3"), "chosen by v2");
  ASSERT_EQ(Tandem({"backfill", "--batch-size", "100"}).exit_code, 0);
  EXPECT_EQ(ScalarIn("public_02_name", "SELECT name FROM users WHERE id = 3"), "chosen by v2");
  EXPECT_EQ(ScalarIn("public_02_name", "SELECT name FROM users WHERE id = 6"), "anonymous");
  EXPECT_EQ(ScalarIn("public_02_name", "SELECT count(*) FROM users WHERE name IS NULL"), "0");
}

TEST_F(LifecycleTest, WritesThroughEitherVersionAreSeenByTheOther) {
  ASSERT_EQ(Tandem({"start", WriteMigration("02_name.yaml", kNameNotNull)}).exit_code, 0);
  Exec("INSERT INTO users (id, name, email) VALUES (9001, NULL, 'old@example.com')");
  Exec(
      "SET search_path TO public_02_name; INSERT INTO users (id, name, email) VALUES (9002, "
      "'new', 'new@example.com'); UPDATE users SET email = 'changed@example.com' WHERE id = 1");
  EXPECT_EQ(ScalarIn("public_02_name", "SELECT name FROM users WHERE id = 9001"), "anonymous");
  EXPECT_EQ(Scalar("SELECT name FROM users WHERE id = 9002"), "new");
  EXPECT_EQ(Scalar("SELECT email FROM users WHERE id = 1"), "changed@example.com");
  // The new version refuses what its NOT NULL forbids, while the old one still may write NULL.
  auto conn = Connect();
  ASSERT_TRUE(conn->Execute("SET search_path TO public_02_name").ok());
  Status violation =
      conn->Execute("INSERT INTO users (name, email) VALUES (NULL, 'x@example.com')");
  EXPECT_FALSE(violation.ok());
}

TEST_F(LifecycleTest, MigrateAppliesPendingFilesInOrderAndSkipsCompletedOnes) {
  std::string dir = std::filesystem::path(WriteMigration("01_note.yaml", R"y(operations:
  - add_column: {table: users, column: {name: note, type: text, nullable: true}}
)y"))
                        .parent_path();
  std::ofstream(dir + "/02_name.yaml") << kNameNotNull;
  CommandResult first = Tandem({"migrate", dir});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Scalar("SELECT string_agg(name || ':' || phase, ',' ORDER BY id) FROM "
                   "tandem.migrations"),
            "01_note:completed,02_name:active");
  CommandResult second = Tandem({"migrate", "--complete", dir});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(Scalar("SELECT string_agg(name || ':' || phase, ',' ORDER BY id) FROM "
                   "tandem.migrations"),
            "01_note:completed,02_name:completed");
  // Completing 02 retired the version schema of 01.
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'public_01_note'"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'public_02_name'"), "1");
}

TEST_F(LifecycleTest, EventLogRecordsEveryStepAndIsAppendOnly) {
  ASSERT_EQ(Tandem({"start", "--complete", WriteMigration("02_name.yaml", kNameNotNull)}).exit_code,
            0);
  EXPECT_EQ(Scalar("SELECT count(*) > 5 AND bool_and(outcome = 'ok') FROM tandem.events"), "t");
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.events WHERE kind = 'phase'"), "4");
  auto conn = Connect();
  EXPECT_FALSE(conn->Execute("DELETE FROM tandem.events").ok());
  EXPECT_EQ(Scalar("SELECT db_user = current_user AND os_user <> '' FROM tandem.migrations"), "t");
  CommandResult history = Tandem({"--json", "history"});
  ASSERT_EQ(history.exit_code, 0);
  EXPECT_NE(history.out.find("\"phase\":\"completed\""), std::string::npos) << history.out;
}

TEST_F(LifecycleTest, VolatileDefaultDoesNotRewriteTheTable) {
  std::string filenode = Scalar("SELECT pg_relation_filenode('users')");
  CommandResult start = Tandem({"start", WriteMigration("02_token.yaml", R"y(operations:
  - add_column:
      table: users
      column: {name: token, type: uuid, default: gen_random_uuid()}
)y")});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  // A rewrite would have given the table a new file.
  EXPECT_EQ(Scalar("SELECT pg_relation_filenode('users')"), filenode);
  EXPECT_EQ(Scalar("SELECT count(DISTINCT _tandem_new_token) FROM users"), "5000");
}

TEST_F(LifecycleTest, FailedConcurrentIndexBuildLeavesNoInvalidIndexAndCanBeRetried) {
  Exec("UPDATE users SET email = 'dup@example.com' WHERE id IN (1, 2)");
  std::string file = WriteMigration("02_email_idx.yaml", R"y(operations:
  - create_index: {name: users_email_idx, table: users, columns: [email], unique: true}
)y");
  CommandResult failed = Tandem({"start", file});
  EXPECT_EQ(failed.exit_code, 3) << failed.err;
  EXPECT_NE(failed.err.find("could not create unique index"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find("tandem rollback"), std::string::npos) << "says what to do next";
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_class WHERE relname = 'users_email_idx'"), "0")
      << "the INVALID index of the failed build must be dropped";
  Exec("UPDATE users SET email = 'first@example.com' WHERE id = 1");
  CommandResult resumed = Tandem({"start", file});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(
      Scalar("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass"),
      "t");
}

TEST_F(LifecycleTest, MissingOrBadUrlIsAUsageError) {
  CommandResult none = RunTandem("", {"status"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--url"), std::string::npos) << none.err;
  CommandResult scheme = RunTandem("mysql://root:hunter2@localhost/db", {"status"});
  EXPECT_EQ(scheme.exit_code, 2);
  EXPECT_EQ(scheme.err.find("hunter2"), std::string::npos) << scheme.err;
  CommandResult unreachable =
      RunTandem("postgres://tandem:hunter2@127.0.0.1:1/nodb?connect_timeout=2", {"status"});
  EXPECT_EQ(unreachable.exit_code, 3);
  EXPECT_EQ(unreachable.err.find("hunter2"), std::string::npos) << unreachable.err;
}

}  // namespace
}  // namespace tandem::testing
