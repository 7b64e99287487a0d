#include "backends/step_retry.h"

#include <gtest/gtest.h>

namespace tandem::backend {
namespace {

// A step whose lock is never free: retried until lock.retry_attempts, not
// until the (far) deadline.
TEST(StepRetryTest, GivesUpAfterTheRetryAttempts) {
  LockPolicy policy;
  policy.backoff_base = Millis(1);
  policy.backoff_cap = Millis(1);
  policy.deadline = Millis(10 * 60 * 1000);
  policy.max_attempts = 3;
  plan::Step step;
  step.description = "add column";
  step.tables = {"items"};
  int attempts = 0;
  auto outcome = RunStepWithRetries(
      step, policy, nullptr,
      [&] {
        ++attempts;
        return Status::Error(ErrorKind::kLockTimeout, "lock timeout", "55P03", true);
      },
      [] { return std::vector<std::string>{}; });
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().kind(), ErrorKind::kLockTimeout);
  EXPECT_EQ(attempts, 3);
  EXPECT_NE(outcome.status().message().find("after 3 attempts"), std::string::npos)
      << outcome.status().message();
}

}  // namespace
}  // namespace tandem::backend
