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

}  // namespace
}  // namespace tandem::testing
