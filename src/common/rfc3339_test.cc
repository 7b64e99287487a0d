#include "common/rfc3339.h"

#include <gtest/gtest.h>

#include <regex>

namespace tandem {
namespace {

TEST(Rfc3339Test, NowIsUtcWithMilliseconds) {
  EXPECT_TRUE(std::regex_match(NowRfc3339(),
                               std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")))
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

}  // namespace
}  // namespace tandem
