#include "common/rfc3339.h"

#include <gtest/gtest.h>

#include <regex>

namespace tandem {
namespace {

TEST(Rfc3339Test, NowIsUtcWithMilliseconds) {
  EXPECT_TRUE(
      std::regex_match(NowRfc3339(), std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")))
      << NowRfc3339();
}

TEST(Rfc3339Test, PostgresTimestamptzGetsTAndAFullOffset) {
  EXPECT_EQ(DatabaseTimeToRfc3339("2026-12-07 05:31:02.123456+00"),
            "2026-12-07T05:31:02.123456+00:00");
  EXPECT_EQ(DatabaseTimeToRfc3339("2026-12-07 05:31:02-08"), "2026-12-07T05:31:02-08:00");
  EXPECT_EQ(DatabaseTimeToRfc3339("2026-12-07 05:31:02+05:30"), "2026-12-07T05:31:02+05:30");
}

TEST(Rfc3339Test, SqliteUtcTextGetsZ) {
  EXPECT_EQ(DatabaseTimeToRfc3339("2026-12-07 05:31:02"), "2026-12-07T05:31:02Z");
  EXPECT_EQ(DatabaseTimeToRfc3339("2026-12-07 05:31:02.250"), "2026-12-07T05:31:02.250Z");
}

TEST(Rfc3339Test, NoValueIsNulloptAndOtherTextIsKept) {
  EXPECT_EQ(DatabaseTimeToRfc3339(""), std::nullopt);
  EXPECT_EQ(DatabaseTimeToRfc3339("yesterday"), "yesterday");
  EXPECT_EQ(DatabaseTimeToRfc3339("2026-12-07 05:31:02+0"), "2026-12-07 05:31:02+0");
}

TEST(Rfc3339Test, TimestampsOfBothDatabasesParseToTheSameSecond) {
  // 2026-12-07 05:31:02 UTC
  constexpr std::time_t kAt = 1796621462;
  EXPECT_EQ(ParseTimestamp("2026-12-07 05:31:02"), kAt);         // SQLite
  EXPECT_EQ(ParseTimestamp("2026-12-07 05:31:02.12+00"), kAt);   // PostgreSQL
  EXPECT_EQ(ParseTimestamp("2026-12-07 07:31:02.999+02"), kAt);  // another zone
  EXPECT_EQ(ParseTimestamp("2026-12-07T00:01:02-05:30"), kAt);   // RFC 3339
  EXPECT_EQ(ParseTimestamp("yesterday"), std::nullopt);
  EXPECT_EQ(ParseTimestamp(""), std::nullopt);
}

}  // namespace
}  // namespace tandem
