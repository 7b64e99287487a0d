// The control API's token as the runner keeps it: made, matched by its
// hash only, replaced, and never made where tandem never ran.
#include <gtest/gtest.h>

#include "common/sha256.h"
#include "core/testing/sqlite_runner_fixture.h"

namespace tandem::core::testing {
namespace {

class RunnerControlTest : public SqliteRunnerTest {};

TEST_F(RunnerControlTest, WhereTandemNeverRanEnsuringATokenCreatesNothing) {
  auto made = (*NewRunner())->EnsureControlToken();
  ASSERT_TRUE(made.ok()) << made.status().message();
  EXPECT_EQ(*made, "");
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tandem_%'"), "0");
}

TEST_F(RunnerControlTest, ATokenMatchesByItsHashUntilANewOneReplacesIt) {
  auto runner = NewRunner();
  ASSERT_TRUE((*runner)->Init().ok());
  auto first = (*runner)->EnsureControlToken();
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->rfind("tdm_", 0), 0u) << *first;
  EXPECT_EQ(first->size(), 4u + 64u);
  EXPECT_EQ(Scalar("SELECT sha256 FROM tandem_control_token"), Sha256Hex(*first));
  auto again = (*runner)->EnsureControlToken();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "") << "a token exists: none is made or shown again";

  EXPECT_TRUE(*(*runner)->ControlTokenMatches(*first));
  EXPECT_FALSE(*(*runner)->ControlTokenMatches(*first + "0"));
  EXPECT_FALSE(*(*runner)->ControlTokenMatches(""));
  auto second = (*runner)->NewControlToken();
  ASSERT_TRUE(second.ok());
  EXPECT_NE(*second, *first);
  EXPECT_FALSE(*(*runner)->ControlTokenMatches(*first));
  EXPECT_TRUE(*(*runner)->ControlTokenMatches(*second));
}

}  // namespace
}  // namespace tandem::core::testing
