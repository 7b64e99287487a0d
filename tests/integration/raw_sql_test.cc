// The raw `sql` operation on a real server: what it creates reaches the new
// version's views (as in pgroll) and is undone by rollback even without
// `down`; what it destroys is refused unless accepted explicitly.
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

class RawSqlTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(
        "CREATE TABLE users (id bigserial PRIMARY KEY, name text); "
        "INSERT INTO users (name) VALUES ('ann'), ('bob')");
  }
  // Writes migration `name` and returns its path.
  std::string Migration(const std::string& name, const std::string& yaml) {
    return WriteMigration(name + ".yaml", yaml);
  }
  bool SchemaExists(const std::string& schema) {
    return Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'") == "1";
  }
};

TEST_F(RawSqlTest, TablesAndColumnsCreatedByUpAppearInTheNewVersion) {
  std::string path = Migration("rs_up", R"y(operations:
  - sql:
      up: |
        CREATE TABLE audit_log (id serial PRIMARY KEY, message text NOT NULL);
        ALTER TABLE users ADD COLUMN nickname text
      down: DROP TABLE audit_log; ALTER TABLE users DROP COLUMN nickname
)y");
  CommandResult start = Tandem({"start", path});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  Exec(
      "SET search_path TO public_rs_up; INSERT INTO audit_log (message) VALUES ('hello'); "
      "UPDATE users SET nickname = 'annie' WHERE name = 'ann'");
  EXPECT_EQ(ScalarIn("public_rs_up", "SELECT message FROM audit_log"), "hello");
  EXPECT_EQ(ScalarIn("public_rs_up", "SELECT nickname FROM users WHERE name = 'ann'"), "annie");
  CommandResult complete = Tandem({"complete"});
  ASSERT_EQ(complete.exit_code, 0) << complete.out << complete.err;
  EXPECT_EQ(ScalarIn("public_rs_up", "SELECT count(*) FROM audit_log"), "1");
}

TEST_F(RawSqlTest, TablesAndColumnsCreatedOnCompleteAppearInTheVersionSchema) {
  std::string path = Migration("rs_later", R"y(operations:
  - sql:
      up: CREATE TABLE audit_later (id serial PRIMARY KEY, note text)
      onComplete: true
  - sql:
      up: ALTER TABLE users ADD COLUMN birth_date date
      onComplete: true
)y");
  CommandResult start = Tandem({"start", path, "--complete"});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  Exec(
      "SET search_path TO public_rs_later; INSERT INTO audit_later (note) VALUES ('n'); "
      "UPDATE users SET birth_date = '2000-01-02' WHERE name = 'bob'");
  EXPECT_EQ(ScalarIn("public_rs_later", "SELECT note FROM audit_later"), "n");
  EXPECT_EQ(ScalarIn("public_rs_later", "SELECT birth_date FROM users WHERE name = 'bob'"),
            "2000-01-02");
}

TEST_F(RawSqlTest, UpThatOnlyCreatesIsUndoneByRollbackWithoutDown) {
  // pgroll's example 40 left its type behind, so starting it again failed.
  std::string path = Migration("rs_create", R"y(operations:
  - sql:
      up: |
        CREATE TYPE fruit_size AS ENUM ('small', 'medium', 'large');
        CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
        CREATE SEQUENCE ticket_numbers;
        CREATE TABLE fruits (id serial PRIMARY KEY, size fruit_size, n positive);
        CREATE INDEX fruits_size_idx ON fruits (size);
        ALTER TABLE users ADD COLUMN favourite fruit_size;
        CREATE FUNCTION fruit_count(s fruit_size, OUT n bigint) LANGUAGE sql
          AS 'SELECT count(*) FROM fruits WHERE size = s';
        CREATE VIEW small_fruits AS SELECT id FROM fruits WHERE size = 'small';
)y");
  std::string schema_before = SchemaDump(url_);
  CommandResult plan = Tandem({"plan", path});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_EQ(plan.out.find("cannot undo"), std::string::npos) << plan.out;
  CommandResult start = Tandem({"start", path});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  CommandResult rollback = Tandem({"rollback"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_EQ(SchemaDump(url_), schema_before);
  CommandResult again = Tandem({"start", path});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

TEST_F(RawSqlTest, UpThatDestroysIsRefusedWithItsRuleUnlessAllowed) {
  Exec("CREATE TABLE old_logs (id int)");
  std::string path = Migration("rs_drop", R"y(operations:
  - sql:
      up: |
        CREATE TABLE scratch (id int);
        TRUNCATE users;
        DROP TABLE old_logs;
        ALTER TABLE users DROP COLUMN name
)y");
  std::string schema_before = SchemaDump(url_);
  CommandResult plan = Tandem({"plan", path});
  EXPECT_EQ(plan.exit_code, 1) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("TD102"), std::string::npos) << plan.out;
  EXPECT_NE(plan.err.find("TD102 " + path + ":5: operations[0].sql.up: `TRUNCATE users`"),
            std::string::npos)
      << plan.err;
  EXPECT_NE(plan.err.find("TD101 " + path +
                          ":6: operations[0].sql.up: `DROP TABLE old_logs` drops a table"),
            std::string::npos)
      << plan.err;
  EXPECT_NE(plan.err.find("TD101 " + path +
                          ":7: operations[0].sql.up: `ALTER TABLE users DROP COLUMN name` "
                          "drops column \"name\" of table \"users\""),
            std::string::npos)
      << plan.err;
  EXPECT_NE(plan.err.find("--allow-irreversible"), std::string::npos) << plan.err;
  CommandResult start = Tandem({"start", path});
  EXPECT_EQ(start.exit_code, 1) << start.out << start.err;
  EXPECT_NE(start.err.find("TD102"), std::string::npos) << start.err;
  EXPECT_NE(start.err.find("onComplete"), std::string::npos) << start.err;
  // Refused before anything changed: no state, no version schema, rows kept.
  EXPECT_EQ(SchemaDump(url_), schema_before);
  EXPECT_FALSE(SchemaExists("tandem"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM users"), "2");
  CommandResult allowed = Tandem({"start", path, "--allow-irreversible"});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM users"), "0");
  // What the SQL dropped is in no view, and complete does not drop it again.
  EXPECT_EQ(ScalarIn("public_rs_drop", "SELECT count(*) FROM scratch"), "0");
  CommandResult complete = Tandem({"complete"});
  ASSERT_EQ(complete.exit_code, 0) << complete.out << complete.err;
  EXPECT_EQ(Scalar("SELECT to_regclass('old_logs') IS NULL"), "t");
}

TEST_F(RawSqlTest, DestroyingOnCompleteIsNotRefused) {
  std::string path = Migration("rs_drop_later", R"y(operations:
  - sql:
      up: DELETE FROM users WHERE name = 'bob'
      onComplete: true
)y");
  CommandResult start = Tandem({"start", path, "--complete"});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM users"), "1");
}

}  // namespace
}  // namespace tandem::testing
