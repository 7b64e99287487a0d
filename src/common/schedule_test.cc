#include "common/schedule.h"

#include <gtest/gtest.h>

namespace tandem {
namespace {

// 2026-12-07 (a Monday) at `hh`:`mm` UTC.
std::time_t Monday(int hh, int mm) {
  std::tm tm{};
  tm.tm_year = 126;
  tm.tm_mon = 11;
  tm.tm_mday = 7;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  return timegm(&tm);
}

TEST(ScheduleTest, NoWindowsNoFreezesAllowsAnyTime) {
  auto verdict = CheckSchedule({}, {}, Monday(3, 0));
  ASSERT_TRUE(verdict.ok());
  EXPECT_TRUE(verdict->allowed);
}

TEST(ScheduleTest, OutsideTheWindowNamesTheNextOpening) {
  auto verdict = CheckSchedule({"Mon-Fri 09:00-17:00"}, {}, Monday(18, 30));
  ASSERT_TRUE(verdict.ok());
  EXPECT_FALSE(verdict->allowed);
  EXPECT_EQ(verdict->next_allowed, "2026-12-08T09:00:00Z");
  EXPECT_TRUE(CheckSchedule({"Mon-Fri 09:00-17:00"}, {}, Monday(9, 0))->allowed);
}

TEST(ScheduleTest, WindowAcrossMidnightBelongsToItsFirstDay) {
  EXPECT_TRUE(CheckSchedule({"Sun 22:00-02:00"}, {}, Monday(1, 0))->allowed);
  EXPECT_FALSE(CheckSchedule({"Sun 22:00-02:00"}, {}, Monday(3, 0))->allowed);
}

TEST(ScheduleTest, FreezeRefusesInsideAndNamesItsEnd) {
  auto verdict = CheckSchedule({}, {"2026-12-01..2026-12-10"}, Monday(12, 0));
  ASSERT_TRUE(verdict.ok());
  EXPECT_FALSE(verdict->allowed);
  EXPECT_NE(verdict->why.find("2026-12-01..2026-12-10"), std::string::npos);
  EXPECT_EQ(verdict->next_allowed, "2026-12-11T00:00:00Z");
}

TEST(ScheduleTest, BadTextIsInvalidInputNamingIt) {
  EXPECT_EQ(ParseWeeklyWindow("Funday 09:00-10:00").status().kind(), ErrorKind::kInvalidInput);
  EXPECT_EQ(ParseWeeklyWindow("Mon 25:00-26:00").status().kind(), ErrorKind::kInvalidInput);
  EXPECT_EQ(ParseFreeze("2026-02-30").status().kind(), ErrorKind::kInvalidInput);
  auto backwards = ParseFreeze("2026-12-10..2026-12-01");
  EXPECT_NE(backwards.status().message().find("ends before it begins"), std::string::npos);
}

}  // namespace
}  // namespace tandem
