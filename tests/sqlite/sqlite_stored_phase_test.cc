// A phase tandem does not know (records edited by hand, or written by a
// newer tandem) is refused by every command that reads the migration,
// naming it, instead of being taken for a migration under way.
#include <gtest/gtest.h>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

class SqliteStoredPhaseTest : public SqliteTest {
 protected:
  void SetUpDatabase() override {
    CreateUsers(300);
    ASSERT_EQ(Tandem({"start", WriteMigration("02_not_null.yaml", kUsersNameNotNull)}).exit_code,
              0);
    Exec("UPDATE tandem_migrations SET phase = 'observing'");
  }

  void ExpectRefusedNamingThePhase(const CommandResult& result) {
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    EXPECT_NE(result.err.find("unknown phase \"observing\""), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("02_not_null"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("Put back the phase"), std::string::npos) << result.err;
  }
};

TEST_F(SqliteStoredPhaseTest, StatusAndHistoryRefuseIt) {
  ExpectRefusedNamingThePhase(Tandem({"status"}));
  ExpectRefusedNamingThePhase(Tandem({"history"}));
}

TEST_F(SqliteStoredPhaseTest, CompleteAndRollbackRefuseItAndChangeNothing) {
  std::string schema = Schema();
  std::string rows = Rows("users");
  ExpectRefusedNamingThePhase(Tandem({"complete"}));
  ExpectRefusedNamingThePhase(Tandem({"rollback"}));
  EXPECT_EQ(Schema(), schema);
  EXPECT_EQ(Rows("users"), rows);
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "observing");
}

TEST_F(SqliteStoredPhaseTest, PuttingBackTheStoredPhaseClearsIt) {
  Exec("UPDATE tandem_migrations SET phase = 'active'");
  CommandResult complete = Tandem({"complete"});
  EXPECT_EQ(complete.exit_code, 0) << complete.err;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "completed");
}

}  // namespace
}  // namespace tandem::testing
