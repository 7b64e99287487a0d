// Conventions of the command line itself, through the real binary: what
// --version prints, how a mistyped command is answered, and how durations
// are read.
#include <gtest/gtest.h>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

class CliConventionsTest : public SqliteTest {};

TEST_F(CliConventionsTest, VersionPrintsNameAndProjectVersion) {
  auto result = Tandem({"--version"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out, std::string("tandem ") + TANDEM_VERSION + "\n") << result.err;
}

TEST_F(CliConventionsTest, UnknownCommandNamesItAndTheClosestOne) {
  auto result = Tandem({"plna", "migration.yaml"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("unknown command \"plna\""), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("did you mean \"plan\"?"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("tandem --help"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("A subcommand is required"), std::string::npos) << result.err;
}

TEST_F(CliConventionsTest, UnknownCommandFarFromAnyPointsToHelp) {
  // Global options before it are skipped, their values included.
  auto result = Tandem({"--schema", "public", "frobnicate"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("unknown command \"frobnicate\""), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("did you mean"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("tandem --help"), std::string::npos) << result.err;
}

TEST_F(CliConventionsTest, MissingCommandPointsToHelp) {
  auto result = Tandem({"-v"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("tandem --help"), std::string::npos) << result.err;
}

TEST_F(CliConventionsTest, BareNumberDurationIsRefusedWithAUnitHint) {
  CreateUsers(3);
  std::string schema = Schema();
  std::string file = WriteMigration("01.yaml", kUsersAddNickname);
  auto result = Tandem({"--lock-timeout", "5", "start", file});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("invalid duration \"5\": give a unit, e.g. 5s or 500ms"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(Schema(), schema);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tandem%'"), "0");
}

TEST_F(CliConventionsTest, BareNumberDurationInTheFileIsRefused) {
  CreateUsers(3);
  std::string schema = Schema();
  std::string file = WriteMigration(
      "01.yaml", std::string(kUsersAddNickname) + "backfill:\n  target_chunk_time: 200\n");
  auto result = Tandem({"start", file});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("target_chunk_time"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("give a unit, e.g. 200s or 500ms"), std::string::npos) << result.err;
  EXPECT_EQ(Schema(), schema);
}

TEST_F(CliConventionsTest, CompoundAndFractionalDurationsAreAccepted) {
  CreateUsers(3);
  std::string file = WriteMigration(
      "01.yaml", std::string(kUsersAddNickname) + "backfill:\n  target_chunk_time: 0.25s\n");
  auto result = Tandem({"--lock-timeout", "1.5s", "--lock-deadline", "1h30m", "start", file,
                        "--target-chunk-time", "1m0.5s"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name = "
                   "'_tandem_new_nickname' OR name = 'nickname'"),
            "1");
}

}  // namespace
}  // namespace tandem::testing
