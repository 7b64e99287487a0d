#include "core/throttle_change.h"

#include <gtest/gtest.h>

namespace tandem::core {
namespace {

TEST(ThrottleChangeJsonTest, ReadBackWhatItWrites) {
  Result<backfill::ThrottleChange> change =
      ParseThrottleChange(R"({"max_rows_per_second": 0, "max_replica_lag": "30s"})");
  ASSERT_TRUE(change.ok()) << change.status().message();
  EXPECT_EQ(change->max_rows_per_second, 0);
  EXPECT_EQ(change->max_replica_lag, Millis(30000));
  Result<backfill::ThrottleChange> again = ParseThrottleChange(ThrottleChangeJson(*change));
  ASSERT_TRUE(again.ok()) << again.status().message() << " " << ThrottleChangeJson(*change);
  EXPECT_EQ(again->max_rows_per_second, 0);
  EXPECT_EQ(again->max_replica_lag, Millis(30000));
}

TEST(ThrottleChangeJsonTest, BadBodiesNameTheKeyAndTheShape) {
  struct Case {
    const char* body;
    const char* names;
  };
  for (const Case& c : {Case{R"({"max_rows_per_second": -1})", "max_rows_per_second"},
                        Case{R"({"max_rows_per_second": "fast"})", "max_rows_per_second"},
                        Case{R"({"max_replica_lag": 5})", "max_replica_lag"},
                        Case{R"({"max_replica_lag": "5"})", "max_replica_lag"},
                        Case{R"({"rate": 5})", "unknown key \"rate\""},
                        Case{"{}", "nothing to change"}, Case{"[1]", "not a JSON object"}}) {
    Result<backfill::ThrottleChange> parsed = ParseThrottleChange(c.body);
    ASSERT_FALSE(parsed.ok()) << c.body;
    EXPECT_EQ(parsed.status().kind(), ErrorKind::kInvalidInput) << c.body;
    EXPECT_NE(parsed.status().message().find(c.names), std::string::npos)
        << c.body << ": " << parsed.status().message();
    EXPECT_NE(parsed.status().message().find("such as {"), std::string::npos) << c.body;
  }
}

TEST(ThrottleChangeJsonTest, LaterChangesWinKeyByKey) {
  backfill::ThrottleChange merged = MergeThrottleChanges(
      {.max_rows_per_second = 100, .max_replica_lag = Millis(1000)}, {.max_rows_per_second = 500});
  EXPECT_EQ(merged.max_rows_per_second, 500);
  EXPECT_EQ(merged.max_replica_lag, Millis(1000));
}

}  // namespace
}  // namespace tandem::core
