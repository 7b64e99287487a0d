// `tandem lint --url`: the rules only the live schema answers (TD201 column
// numbers, TD202 a rewrite of a large table, TD203 a view reading what a
// statement drops, renames or retypes), against a real server; the same
// files without --url, or on tables that give no reason, find none of them.
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kTimeouts[] = "SET lock_timeout = '1s';\nSET statement_timeout = '5s';\n";

class LintLiveTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    // big: about 2 MB; small: a few rows; wide: 1598 of 1600 numbers used.
    Exec(R"sql(
CREATE TABLE big (id bigint PRIMARY KEY, name text, age int);
INSERT INTO big SELECT i, 'name ' || i, i % 90 FROM generate_series(1, 20000) i;
CREATE VIEW big_names AS SELECT id, name FROM big;
CREATE TABLE small (id bigint PRIMARY KEY, name text, age int);
INSERT INTO small VALUES (1, 'a', 1);
CREATE TABLE wide (id bigint PRIMARY KEY);
DO $$
BEGIN
  EXECUTE (SELECT 'ALTER TABLE wide ' || string_agg(format('ADD COLUMN c%s int', i), ', ')
           FROM generate_series(1, 1597) i);
  EXECUTE (SELECT 'ALTER TABLE wide ' || string_agg(format('DROP COLUMN c%s', i), ', ')
           FROM generate_series(1, 1597) i);
END $$;
ANALYZE;
)sql");
  }

  CommandResult Lint(const std::string& path, bool with_url) {
    std::vector<std::string> args = {"lint", "--large-table", "512kB", path};
    if (with_url) args.insert(args.begin() + 1, {"--url", url_});
    return Tandem(args);
  }
};

TEST_F(LintLiveTest, LargeTableRewriteAndViewReadersAreFoundOnlyWithTheUrl) {
  std::string path =
      WriteMigration("V5__big.sql", std::string(kTimeouts) +
                                        "ALTER TABLE big ALTER COLUMN age TYPE bigint;\n"
                                        "ALTER TABLE big DROP COLUMN name;\n"
                                        "ALTER TABLE small ALTER COLUMN age TYPE bigint;\n"
                                        "ALTER TABLE small DROP COLUMN name;\n");
  auto live = Lint(path, true);
  EXPECT_EQ(live.exit_code, 1) << live.err;
  EXPECT_NE(live.out.find(path + ":3:1: error TD202 \"public.big\" is "), std::string::npos)
      << live.out;
  EXPECT_NE(live.out.find(path + ":4:1: error TD203 view public.big_names reads column \"name\" "
                                 "of \"public.big\", which the statement drops"),
            std::string::npos)
      << live.out;
  // small is neither large nor read by a view; big_names reads no `age`.
  EXPECT_EQ(live.out.find(":5:1: error TD202"), std::string::npos) << live.out;
  EXPECT_EQ(live.out.find(":6:1: error TD203"), std::string::npos) << live.out;
  EXPECT_EQ(live.out.find(":3:1: error TD203"), std::string::npos) << live.out;

  auto offline = Lint(path, false);
  EXPECT_EQ(offline.out.find("TD202"), std::string::npos) << offline.out;
  EXPECT_EQ(offline.out.find("TD203"), std::string::npos) << offline.out;
  EXPECT_NE(offline.out.find("TD303"), std::string::npos) << offline.out;
}

TEST_F(LintLiveTest, ColumnNumbersCountDroppedColumnsAndWhatTheFileAdds) {
  std::string fits = WriteMigration("cn_fits.yaml", R"(operations:
  - add_column:
      table: wide
      column: {name: a, type: bigint, nullable: true}
  - add_column:
      table: wide
      column: {name: b, type: bigint, nullable: true}
)");
  auto ok = Lint(fits, true);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(ok.out.find("TD201"), std::string::npos) << ok.out;

  std::string too_many =
      WriteMigration("V6__wide.sql", std::string(kTimeouts) +
                                         "ALTER TABLE wide ADD COLUMN a bigint, "
                                         "ADD COLUMN b bigint;\n"
                                         "ALTER TABLE wide ADD COLUMN c bigint;\n");
  auto refused = Lint(too_many, true);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.out.find(too_many + ":4:1: error TD201 \"public.wide\" would need column "
                                        "number 1601"),
            std::string::npos)
      << refused.out;
  // Reported once per table, at the first column past the limit.
  EXPECT_EQ(refused.out.find("TD201"), refused.out.rfind("TD201")) << refused.out;
}

TEST_F(LintLiveTest, PgrollDropColumnFindsTheViewReadingIt) {
  std::string path = WriteMigration("drop_name.yaml", R"(operations:
  - drop_column:
      table: big
      column: name
      down: "''"
)");
  auto result = Lint(path, true);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("TD203 view public.big_names reads column \"name\""), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("TD101 drop_column"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace tandem::testing
