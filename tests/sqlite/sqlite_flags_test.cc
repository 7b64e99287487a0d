// `tandem flag` on a real SQLite file through the real binary (the checks
// shared with PostgreSQL: support/flag_cli.h), and the query it prints for
// applications answering as the C++ reference does.
#include <gtest/gtest.h>

#include "common/flag_decision.h"
#include "common/strings.h"
#include "sqlite/sqlite_fixture.h"
#include "support/flag_cli.h"

namespace tandem::testing {
namespace {

class SqliteFlagsTest : public SqliteTest {
 protected:
  void SetUpDatabase() override { CreateUsers(10); }
  void Start() {
    auto started = Tandem({"start", WriteMigration("02_nickname.yaml", kUsersAddNickname)});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }
};

TEST_F(SqliteFlagsTest, RefusedWithoutAMigrationInProgress) {
  ExpectFlagCommandsRefusedWithoutMigration(url_);
  // Asking created nothing in the file.
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tandem%'"), "0");
}

TEST_F(SqliteFlagsTest, SetGetHistoryAndBadInput) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ExpectBadFlagInputRejected(url_);
  ExpectFlagSetGetHistory(url_, "02_nickname");
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'flag' AND phase = 'switch'"),
            "4");
}

TEST_F(SqliteFlagsTest, ThePrintedQueryAnswersAsTheReference) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_EQ(Tandem({"flag", "set", "read_new", "25%"}).exit_code, 0);
  // Bound by the names tandem's own connection uses; the query is the printed one.
  std::string query = ReplaceAll(ReplaceAll(FlagQuery(url_), ":flag", "$1"), ":subject", "$2");
  int in = 0;
  for (int i = 1; i <= 200; ++i) {
    std::string subject = "customer " + std::to_string(i) + " \u00e9\u00e8";
    auto rows = conn_->Query(query, {"read_new", subject});
    ASSERT_TRUE(rows.ok()) << rows.status().message();
    bool expected = FlagSelects("read_new", subject, 2500);
    in += expected;
    EXPECT_EQ(rows->Scalar(), backend::Value(expected ? "1" : "0")) << subject;
  }
  EXPECT_GT(in, 0);
  EXPECT_LT(in, 200);
}

TEST_F(SqliteFlagsTest, TheReadmeShowsThePrintedQuery) {
  std::string query = FlagQuery(url_);
  ASSERT_FALSE(query.empty());
  EXPECT_NE(ReadFile(std::string(TANDEM_SOURCE_DIR) + "/README.md").find(query), std::string::npos)
      << "README.md's query differs from `tandem flag sql`:\n"
      << query;
}

}  // namespace
}  // namespace tandem::testing
