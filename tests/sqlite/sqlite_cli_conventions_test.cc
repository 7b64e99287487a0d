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

}  // namespace
}  // namespace tandem::testing
