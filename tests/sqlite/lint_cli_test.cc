// `tandem lint` through the real binary, on files alone (no server): its
// output formats, exit codes, rule switches, docs, and SQLite's rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

class LintCliTest : public SqliteTest {};

constexpr char kTimeouts[] = "SET lock_timeout = '1s';\nSET statement_timeout = '5s';\n";

std::string IndexMigration() {
  return WriteMigration("V2__users_index.sql",
                        std::string(kTimeouts) + "CREATE INDEX users_n ON users (n);\n");
}

TEST_F(LintCliTest, ExitCodesFollowTheSeverityThreshold) {
  std::string clean = WriteMigration(
      "V1__clean.sql", std::string(kTimeouts) + "CREATE INDEX CONCURRENTLY i ON users (n);\n");
  EXPECT_EQ(Tandem({"lint", clean}).exit_code, 0);

  auto error = Tandem({"lint", IndexMigration()});
  EXPECT_EQ(error.exit_code, 1) << error.out << error.err;
  EXPECT_NE(error.err.find("1 error"), std::string::npos) << error.err;

  std::string warning =
      WriteMigration("V3__varchar.sql", "CREATE TABLE notes (id bigint, body varchar(200));\n");
  EXPECT_EQ(Tandem({"lint", warning}).exit_code, 0);
  EXPECT_EQ(Tandem({"lint", "--error-on", "warning", warning}).exit_code, 1);
  EXPECT_EQ(Tandem({"lint", "--disable", "TD503", "--error-on", "warning", warning}).exit_code, 0);
}

TEST_F(LintCliTest, TextFormatIsFileLineColumnSeverityCode) {
  std::string path = IndexMigration();
  auto result = Tandem({"lint", path});
  EXPECT_EQ(result.out, path +
                            ":3:1: error TD304 CREATE INDEX on \"users\" blocks its writes until "
                            "built; use CREATE INDEX CONCURRENTLY\n");
}

TEST_F(LintCliTest, JsonFormatIsJsonLines) {
  auto result = Tandem({"lint", "--format", "json", IndexMigration()});
  EXPECT_EQ(result.exit_code, 1);
  nlohmann::json finding = nlohmann::json::parse(result.out);
  EXPECT_EQ(finding["code"], "TD304");
  EXPECT_EQ(finding["line"], 3);
  EXPECT_EQ(finding["column"], 1);
  EXPECT_EQ(finding["severity"], "error");
}

// The structure SARIF 2.1.0's schema requires, checked by Python's json
// module as a code-scanning upload would read it.
TEST_F(LintCliTest, SarifFormatHasTheRequiredStructure) {
  std::string sarif = TempDir() + "/lint.sarif";
  int exit_code = -1;
  Capture(ShellQuote(TANDEM_BINARY) + " lint --format sarif " + ShellQuote(IndexMigration()) +
              " > " + ShellQuote(sarif),
          exit_code);
  EXPECT_EQ(exit_code, 1);
  std::string check = R"py(
import json, sys
log = json.load(open(sys.argv[1]))
assert log["version"] == "2.1.0", "version"
assert isinstance(log["runs"], list) and len(log["runs"]) == 1, "runs"
run = log["runs"][0]
driver = run["tool"]["driver"]
assert isinstance(driver["name"], str), "driver.name"
ids = [rule["id"] for rule in driver["rules"]]
for result in run["results"]:
    assert isinstance(result["message"]["text"], str), "message.text"
    assert ids[result["ruleIndex"]] == result["ruleId"], "ruleIndex"
    assert result["level"] in ("none", "note", "warning", "error"), "level"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1, "region"
print(len(run["results"]), ",".join(ids))
)py";
  std::string script = TempDir() + "/check_sarif.py";
  { std::ofstream(script) << check; }
  std::string out = Capture("python3 " + ShellQuote(script) + " " + ShellQuote(sarif), exit_code);
  EXPECT_EQ(exit_code, 0) << ReadFile(sarif);
  EXPECT_EQ(out, "1 TD304\n");
}

TEST_F(LintCliTest, GithubFormatWritesAnnotations) {
  std::string path = IndexMigration();
  auto result = Tandem({"lint", "--format", "github", path});
  EXPECT_EQ(result.out.rfind("::error file=" + path + ",line=3,col=1,title=TD304 ", 0), 0u)
      << result.out;
}

TEST_F(LintCliTest, BadInputIsExit2WithFileLineColumn) {
  std::string broken =
      WriteMigration("V4__broken.sql", "SELECT 1;\nALTER TABLE t ADD COLUM x int;\n");
  auto result = Tandem({"lint", broken});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find(broken + ":2:"), std::string::npos) << result.err;
  EXPECT_EQ(Tandem({"lint", "--disable", "TD1234", IndexMigration()}).exit_code, 2);
  EXPECT_EQ(Tandem({"lint", TempDir() + "/does-not-exist.sql"}).exit_code, 2);
  EXPECT_EQ(Tandem({"lint", "--format", "xml", IndexMigration()}).exit_code, 2);
}

TEST_F(LintCliTest, ExplainAndRulesDocumentEveryCode) {
  auto explain = Tandem({"lint", "--explain", "td309"});
  EXPECT_EQ(explain.exit_code, 0);
  EXPECT_NE(explain.out.find("TD309 set-not-null-without-check"), std::string::npos) << explain.out;
  EXPECT_NE(explain.out.find("VALIDATE"), std::string::npos);
  EXPECT_EQ(Tandem({"lint", "--explain", "TD999"}).exit_code, 2);
  auto rules = Tandem({"lint", "--rules"});
  EXPECT_EQ(rules.exit_code, 0);
  for (const char* code : {"TD101", "TD104", "TD201", "TD202", "TD203", "TD301", "TD304", "TD310",
                           "TD401", "TD501", "TD601", "TD701"}) {
    EXPECT_NE(rules.out.find(std::string(code) + " "), std::string::npos) << code;
  }
}

TEST_F(LintCliTest, DirectoryOfTandemAndSqlMigrations) {
  std::string dir = TempDir() + "/lint_dir";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/01_users.yaml") << "operations:\n  - drop_table:\n      name: legacy\n";
  std::ofstream(dir + "/02_users.sql") << kTimeouts << "ALTER TABLE users RENAME TO people;\n";
  std::ofstream(dir + "/02_users.down.sql") << "ALTER TABLE people RENAME TO users;\n";
  auto result = Tandem({"lint", dir});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find(dir + "/01_users.yaml:3:13: error TD101 drop_table"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find(dir + "/02_users.sql:3:1: error TD402"), std::string::npos)
      << result.out;
  EXPECT_EQ(result.out.find("down.sql"), std::string::npos) << result.out;
}

// With a sqlite: URL, SQLite's rules: what SQLite's ALTER TABLE refuses,
// not PostgreSQL's locks.
TEST_F(LintCliTest, SqliteUrlAppliesSqlitesRules) {
  std::string path = WriteMigration("0002_alter.sql",
                                    "CREATE INDEX i ON users (n);\n"
                                    "ALTER TABLE users ADD COLUMN joined text DEFAULT "
                                    "CURRENT_TIMESTAMP;\n"
                                    "ALTER TABLE users ALTER COLUMN n SET NOT NULL;\n");
  auto result = Tandem({"lint", "--url", url_, path});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_EQ(result.out.find("TD304"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find(path + ":2:1: error TD302 SQLite refuses"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find(path + ":3:1: error TD701"), std::string::npos) << result.out;
  auto postgres = Tandem({"lint", "--engine", "postgres", path});
  EXPECT_NE(postgres.out.find("TD304"), std::string::npos) << postgres.out;
  EXPECT_EQ(postgres.out.find("TD701"), std::string::npos) << postgres.out;
}

}  // namespace
}  // namespace tandem::testing
