// Bad input on SQLite: a clear error, the documented exit code, and nothing
// changed in the database.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

class SqliteBadInputTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    Exec(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES "
        "('a'), ('b')");
    schema_ = Schema();
  }
  std::string schema_;
};

TEST_F(SqliteBadInputTest, FileThatIsNotSqlite) {
  std::string path = TempDir() + "/not-a-database.db";
  std::ofstream(path) << "this is a text file, not a SQLite database, and long enough to have a "
                         "header that SQLite reads and rejects\n";
  auto result = RunTandem("sqlite:" + path, {"plan", WriteMigration("01.yaml", kUsersAddNickname)});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("not a SQLite database"), std::string::npos) << result.err;
  EXPECT_EQ(ReadFile(path).substr(0, 14), "this is a text");
}

TEST_F(SqliteBadInputTest, MissingFile) {
  std::string path = TempDir() + "/does-not-exist.db";
  auto result =
      RunTandem("sqlite:" + path, {"start", WriteMigration("01.yaml", kUsersAddNickname)});
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_NE(result.err.find("cannot open SQLite database"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(SqliteBadInputTest, ReadOnlyDatabase) {
  auto result = RunTandem("file:" + path_ + "?mode=ro",
                          {"start", WriteMigration("01.yaml", kUsersAddNickname)});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("read-only"), std::string::npos) << result.err;
  EXPECT_EQ(Schema(), schema_);
}

TEST_F(SqliteBadInputTest, LockedDatabase) {
  // Another connection holds the write lock for the whole attempt.
  Exec("BEGIN IMMEDIATE; INSERT INTO users (name) VALUES ('held')");
  auto result = Tandem({"start", WriteMigration("01.yaml", kUsersAddNickname)});
  Exec("ROLLBACK");
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_NE(result.err.find("locked"), std::string::npos) << result.err;
  EXPECT_EQ(Schema(), schema_);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tandem%'"), "0");
}

TEST_F(SqliteBadInputTest, UnsupportedOperationRefusedByPlanAndStart) {
  std::string file = WriteMigration("01.yaml", R"y(operations:
  - set_replica_identity: {table: users, identity: {type: full}}
)y");
  for (const char* command : {"plan", "start"}) {
    auto result = Tandem({command, file});
    EXPECT_EQ(result.exit_code, 1) << command << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("SQLite"), std::string::npos) << result.err;
  }
  EXPECT_EQ(Schema(), schema_);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tandem%'"), "0");
}

TEST_F(SqliteBadInputTest, SerialColumnRefusedWithWhatToDoInstead) {
  auto result = Tandem({"start", WriteMigration("01.yaml", R"y(operations:
  - add_column:
      table: users
      column: {name: counter, type: serial, nullable: false}
)y")});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("01.yaml:2:5: operations[0].add_column: type serial needs a sequence"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("up: rowid"), std::string::npos) << result.err;
  EXPECT_EQ(Schema(), schema_);
}

TEST_F(SqliteBadInputTest, UnknownColumnInUp) {
  auto result = Tandem({"start", WriteMigration("01.yaml", R"y(operations:
  - add_column:
      table: users
      column: {name: nickname, type: TEXT, nullable: true}
      up: upper(no_such_column)
)y")});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("no_such_column"), std::string::npos) << result.err;
  EXPECT_EQ(Schema(), schema_);
}

TEST_F(SqliteBadInputTest, TableWithConflictClauseCannotBeRebuilt) {
  Exec(
      "CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL ON CONFLICT "
      "REPLACE DEFAULT 0)");
  std::string schema = Schema();
  auto result = Tandem({"plan", WriteMigration("01.yaml", R"y(operations:
  - alter_column:
      table: accounts
      column: balance
      type: REAL
      up: balance
      down: balance
)y")});
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("ON CONFLICT"), std::string::npos) << result.err;
  EXPECT_EQ(Schema(), schema);
}

// Inputs that once kept the parser busy until memory ran out, and inputs too
// large to parse quickly: `plan` and `start` answer each within seconds and
// bounded memory, and change nothing.
TEST_F(SqliteBadInputTest, EndlessOversizedAndStuckFilesAnsweredWithinBounds) {
  std::string many = "operations:\n";
  while (many.size() <= 128 * 1024) many += "  - sql: {up: SELECT 1, down: SELECT 2}\n";
  std::string corpus = std::string(TANDEM_SOURCE_DIR) + "/tests/bad_input/";
  struct Case {
    std::string file;
    std::string expected;
  };
  const Case cases[] = {
      {"/dev/zero", "/dev/zero: the file is larger than 128 KiB"},
      {WriteMigration("01_many.yaml", many), "01_many.yaml: the file is larger than 128 KiB"},
      {corpus + "stray_comma.yaml", "stray_comma.yaml:1:1: not valid YAML or JSON: unexpected `,`"},
  };
  for (const Case& c : cases) {
    for (const char* command : {"plan", "start"}) {
      auto result = RunTandemWithin(url_, {command, c.file}, {.seconds = 5, .memory_mb = 1024});
      EXPECT_EQ(result.exit_code, 2)
          << command << " " << c.file
          << " (137: killed after 5 s, 134: out of memory): " << result.out << result.err;
      EXPECT_NE(result.err.find(c.expected), std::string::npos) << result.err;
    }
  }
  EXPECT_EQ(Schema(), schema_);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tandem%'"), "0");
}

// pgroll accepts a table with no columns; SQLite's CREATE TABLE does not.
TEST_F(SqliteBadInputTest, TableWithoutColumnsRefusedBeforeAnythingChanges) {
  std::string file = WriteMigration("01.yaml", R"y(operations:
  - create_table: {name: markers, columns: []}
)y");
  for (const char* command : {"plan", "start"}) {
    auto result = Tandem({command, file});
    EXPECT_EQ(result.exit_code, 1) << command << ": " << result.out << result.err;
    EXPECT_NE(result.err.find("SQLite cannot create a table without columns"), std::string::npos)
        << result.err;
  }
  EXPECT_EQ(Schema(), schema_);
}

TEST_F(SqliteBadInputTest, UrlWithoutFile) {
  auto result = RunTandem("sqlite:", {"status"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("names no database file"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace tandem::testing
