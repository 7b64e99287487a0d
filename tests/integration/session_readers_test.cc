// Live sessions on the old shape (pg_stat_activity), on a real server: an
// application still connected whose last statement read a column complete
// drops is a hidden reader named by its pid, application, client and
// connection time, and complete refuses; once it is gone, or when it only
// used what stays, nothing is found.
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kDropNickname[] = R"y(operations:
  - drop_column:
      table: members
      column: nickname
      down: "''"
)y";

class SessionReadersTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(
        "CREATE TABLE members (id bigint PRIMARY KEY, name text, nickname text);"
        "INSERT INTO members VALUES (1, 'a', 'x');");
    auto started = Tandem({"start", WriteMigration("drop_nickname.yaml", kDropNickname)});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }

  // A session of another application whose last statement is `sql`.
  std::unique_ptr<backend::Connection> App(const std::string& name, const std::string& sql) {
    auto conn = Connect();
    EXPECT_TRUE(conn->Execute("SET application_name = '" + name + "'").ok());
    EXPECT_TRUE(conn->Execute(sql).ok()) << sql;
    return conn;
  }
};

TEST_F(SessionReadersTest, AnOldApplicationStillConnectedBlocksComplete) {
  auto old_app = App("billing-v1", "SELECT id, nickname FROM members WHERE id = 1");
  auto star_app = App("reports", "SELECT * FROM public.members");
  auto new_app = App("billing-v2", "SELECT id, name FROM members");

  auto found = Tandem({"readers"});
  EXPECT_EQ(found.exit_code, 1) << found.out << found.err;
  EXPECT_NE(found.out.find("session pid "), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("(application \"billing-v1\", client "), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("uses column public.members.nickname, which complete drops, in its "
                           "last statement `SELECT id, nickname FROM members WHERE id = 1`"),
            std::string::npos)
      << found.out;
  EXPECT_NE(found.out.find("\"reports\""), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("(through *)"), std::string::npos) << found.out;
  EXPECT_EQ(found.out.find("billing-v2"), std::string::npos) << found.out;
  EXPECT_NE(found.out.find("connected since 20"), std::string::npos) << found.out;

  auto refused = Tandem({"complete"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("billing-v1"), std::string::npos) << refused.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                   "'public' AND table_name = 'members' AND column_name = 'nickname'"),
            "1");

  old_app.reset();
  star_app.reset();
  // pg_stat_activity drops a session once its backend has exited.
  for (int i = 0; i < 50 && Scalar("SELECT count(*) FROM pg_stat_activity WHERE "
                                   "application_name IN ('billing-v1', 'reports')") != "0";
       ++i) {
    Scalar("SELECT pg_sleep(0.1)");
  }
  auto clean = Tandem({"readers"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  auto completed = Tandem({"complete"});
  EXPECT_EQ(completed.exit_code, 0) << completed.out << completed.err;
}

}  // namespace
}  // namespace tandem::testing
