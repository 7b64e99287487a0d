// The lifecycle's rules live in scenario files (tests/scenarios), which run
// on both engines. What stays here is what a scenario cannot say: a run
// against a URL other than the test database's, and output that must not
// contain a password.
#include <gtest/gtest.h>

#include "support/command.h"

namespace tandem::testing {
namespace {

TEST(LifecycleTest, MissingOrBadUrlIsAUsageError) {
  CommandResult none = RunTandem("", {"status"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--url"), std::string::npos) << none.err;
  CommandResult scheme = RunTandem("mysql://root:hunter2@localhost/db", {"status"});
  EXPECT_EQ(scheme.exit_code, 2);
  EXPECT_EQ(scheme.err.find("hunter2"), std::string::npos) << scheme.err;
  CommandResult unreachable =
      RunTandem("postgres://tandem:hunter2@127.0.0.1:1/nodb?connect_timeout=2", {"status"});
  EXPECT_EQ(unreachable.exit_code, 3);
  EXPECT_EQ(unreachable.err.find("hunter2"), std::string::npos) << unreachable.err;
}

}  // namespace
}  // namespace tandem::testing
