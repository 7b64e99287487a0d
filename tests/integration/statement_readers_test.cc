// Statements the server counted (pg_stat_statements) on a real server, run
// by a real client (psql) that ends before tandem looks, so that only the
// server's counters remember them: a query reading a column complete drops,
// run after the switch, is a hidden reader named with its calls, role and
// database, and complete refuses; run only before the switch, it is shown
// as not seen since and complete goes on; tandem's own backfill and verify
// statements, which read that column too, are never readers; without
// pg_stat_statements, `readers` says so once and nothing fails.
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

// nickname becomes handle, a varchar(40) copy: the backfill and verify
// read nickname, which complete drops.
constexpr char kRenameAndRetype[] = R"y(operations:
  - alter_column:
      table: members
      column: nickname
      name: handle
      type: varchar(40)
      up: nickname
      down: nickname
)y";

constexpr char kOldQuery[] = "SELECT id, nickname FROM members WHERE id = 1";

class StatementReadersTest : public PgTest {
 protected:
  // The harness's server preloads pg_stat_statements; each test's database
  // has the extension unless a test says otherwise.
  virtual bool WithStatements() const { return true; }

  void SetUpDatabase() override {
    if (WithStatements()) Exec("CREATE EXTENSION pg_stat_statements");
    Exec(
        "CREATE TABLE members (id bigint PRIMARY KEY, name text, nickname text);"
        "INSERT INTO members SELECT g, 'n' || g, 'x' || g FROM generate_series(1, 50) g;");
    auto started = Tandem({"start", WriteMigration("rename.yaml", kRenameAndRetype)});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }

  // An application run with psql: `times` runs of `sql` in one session,
  // which has ended when this returns.
  void RunApplication(const std::string& sql, int times) {
    std::string command = "PGAPPNAME=billing-v1 psql -X -q -v ON_ERROR_STOP=1 " + ShellQuote(url_);
    for (int i = 0; i < times; ++i) command += " -c " + ShellQuote(sql);
    int exit_code = -1;
    std::string out = Capture(command + " 2>&1", exit_code);
    ASSERT_EQ(exit_code, 0) << out;
  }

  void VerifyAndSwitch() {
    auto verified = Tandem({"verify"});
    ASSERT_EQ(verified.exit_code, 0) << verified.out << verified.err;
    auto switched = Tandem({"switch", "--observe", "1s"});
    ASSERT_EQ(switched.exit_code, 0) << switched.out << switched.err;
  }

  bool NicknameExists() {
    return Scalar(
               "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
               "'public' AND table_name = 'members' AND column_name = 'nickname'") == "1";
  }
};

TEST_F(StatementReadersTest, AQueryOfADroppedColumnRunSinceTheSwitchBlocksComplete) {
  VerifyAndSwitch();
  RunApplication(kOldQuery, 3);

  auto found = Tandem({"readers"});
  EXPECT_EQ(found.exit_code, 1) << found.out << found.err;
  EXPECT_NE(found.out.find("statement queryid "), std::string::npos) << found.out;
  EXPECT_NE(found.out.find(", database " + db_name_ + ", 3 calls, 3 since the switch)"),
            std::string::npos)
      << found.out;
  EXPECT_NE(found.out.find("uses column public.members.nickname, which complete drops, in "
                           "`SELECT id, nickname FROM members WHERE id = $1`"),
            std::string::npos)
      << found.out;
  EXPECT_NE(found.out.find("(role " + Scalar("SELECT current_user")), std::string::npos)
      << found.out;

  auto json = Tandem({"--json", "readers"});
  EXPECT_NE(json.out.find("\"kind\":\"statement\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"blocks\":true"), std::string::npos) << json.out;

  auto refused = Tandem({"complete"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("statement queryid "), std::string::npos) << refused.err;
  EXPECT_TRUE(NicknameExists());
}

TEST_F(StatementReadersTest, AQueryRunOnlyBeforeTheSwitchIsShownAndDoesNotBlock) {
  RunApplication(kOldQuery, 2);
  auto before = Tandem({"readers"});
  EXPECT_EQ(before.exit_code, 1) << before.out << before.err;
  EXPECT_NE(before.out.find("2 calls, 2 since the migration started)"), std::string::npos)
      << before.out;

  VerifyAndSwitch();
  auto after = Tandem({"readers"});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  EXPECT_NE(after.out.find("2 calls, not seen since the switch)"), std::string::npos) << after.out;
  EXPECT_NE(after.out.find("no hidden reader blocks complete"), std::string::npos) << after.out;

  auto completed = Tandem({"complete"});
  EXPECT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  EXPECT_FALSE(NicknameExists());
}

TEST_F(StatementReadersTest, TandemsOwnBackfillAndVerifyAreNeverReaders) {
  VerifyAndSwitch();
  // tandem's statements did read nickname (the backfill's copy, verify's
  // comparison): the server counted them, marked as tandem's.
  EXPECT_NE(Scalar("SELECT count(*) FROM pg_stat_statements s JOIN pg_database d ON d.oid = "
                   "s.dbid WHERE d.datname = current_database() AND s.query LIKE "
                   "'/* tandem */%nickname%' AND s.query NOT LIKE '%CREATE%'"),
            "0");
  auto found = Tandem({"readers"});
  EXPECT_EQ(found.exit_code, 0) << found.out << found.err;
  EXPECT_EQ(found.out.find("statement "), std::string::npos) << found.out;
  EXPECT_EQ(found.err.find("pg_stat_statements"), std::string::npos) << found.err;
}

class NoStatementStatisticsTest : public StatementReadersTest {
 protected:
  bool WithStatements() const override { return false; }
};

TEST_F(NoStatementStatisticsTest, ReadersSaysSoOnceAndNothingFails) {
  RunApplication(kOldQuery, 1);
  auto found = Tandem({"readers"});
  EXPECT_EQ(found.exit_code, 0) << found.out << found.err;
  std::string said = found.out + found.err;
  size_t first = said.find("pg_stat_statements is not installed");
  ASSERT_NE(first, std::string::npos) << said;
  EXPECT_EQ(said.find("pg_stat_statements is not installed", first + 1), std::string::npos) << said;
  VerifyAndSwitch();
  auto completed = Tandem({"complete"});
  EXPECT_EQ(completed.exit_code, 0) << completed.out << completed.err;
}

}  // namespace
}  // namespace tandem::testing
