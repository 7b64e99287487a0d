// The flag decision in C++, the reference both engines' SQL is tested
// against: the documented hash, its spread, monotone ramps, independent
// flags, and the shares people type.
#include "common/flag_decision.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tandem {
namespace {

constexpr int kSubjects = 10000;

std::vector<std::string> Subjects() {
  std::vector<std::string> subjects;
  for (int i = 1; i <= kSubjects; ++i) subjects.push_back("user-" + std::to_string(i));
  return subjects;
}

int CountIn(const std::string& flag, int basis_points) {
  int in = 0;
  for (const auto& subject : Subjects()) in += FlagSelects(flag, subject, basis_points) ? 1 : 0;
  return in;
}

// Values computed apart from tandem, from the algorithm as
// flag_decision.h documents it: a change of the hash breaks the answer
// every deployed application computes in SQL.
TEST(FlagDecisionTest, HashIsTheDocumentedOne) {
  EXPECT_EQ(FlagHash("read_new", "user-42"), 4063383667u);
  EXPECT_EQ(FlagHash("read_new", ""), 332821279u);
  EXPECT_EQ(FlagHash("write_new", "user-42"), 2765718671u);
  // Two-, three- and four-byte UTF-8 count as one code point each.
  EXPECT_EQ(FlagHash("read_new", "Zo\u00eb \u65e5\u672c \U0001F600"), 1555498832u);
  EXPECT_EQ(FlagBucket("read_new", "user-42"), 3667);
}

TEST(FlagDecisionTest, InvalidUtf8CountsAsReplacementCharacters) {
  EXPECT_EQ(FlagHash("f", "a\xff"), FlagHash("f", "a\xef\xbf\xbd"));
  EXPECT_EQ(FlagHash("f", "\xe6\x97"), FlagHash("f", "\xef\xbf\xbd\xef\xbf\xbd"));
  EXPECT_NE(FlagHash("f", "a\xff"), FlagHash("f", "a"));
}

TEST(FlagDecisionTest, ShareIsWithinOnePointOfTheTarget) {
  for (int basis_points : {100, 1000, 5000}) {
    double share = 100.0 * CountIn("read_new", basis_points) / kSubjects;
    EXPECT_NEAR(share, basis_points / 100.0, 1.0) << FormatFlagShare(basis_points);
  }
  EXPECT_EQ(CountIn("read_new", 0), 0);
  EXPECT_EQ(CountIn("read_new", kBuckets), kSubjects);
}

TEST(FlagDecisionTest, RampIsMonotone) {
  const std::vector<int> ramp = {1, 100, 1000, 2500, 5000, 9999, kBuckets};
  for (const auto& subject : Subjects()) {
    bool was_in = false;
    for (int basis_points : ramp) {
      bool in = FlagSelects("read_new", subject, basis_points);
      ASSERT_TRUE(in || !was_in) << subject << " left at " << FormatFlagShare(basis_points);
      was_in = in;
    }
  }
}

TEST(FlagDecisionTest, FlagsSelectIndependently) {
  // Two flags at 50%: independent ones share a quarter of the subjects.
  int both = 0;
  for (const auto& subject : Subjects()) {
    both += FlagSelects("read_new", subject, 5000) && FlagSelects("write_new", subject, 5000);
  }
  EXPECT_NEAR(100.0 * both / kSubjects, 25.0, 2.0);
}

TEST(FlagDecisionTest, SharesAsPeopleWriteThem) {
  struct Case {
    const char* text;
    int basis_points;
  };
  for (const Case& c : {Case{"10%", 1000}, Case{"10", 1000}, Case{"0.5%", 50}, Case{"0.25%", 25},
                        Case{"100%", 10000}, Case{"0%", 0}, Case{"7.1", 710}}) {
    Result<int> parsed = ParseFlagShare(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status().message();
    EXPECT_EQ(*parsed, c.basis_points) << c.text;
  }
  for (const char* bad : {"150%", "100.01%", "abc", "", "%", "-5%", "1e2", "0.125%", "5.%", ".5",
                          " 5%", "10%%", "1000"}) {
    Result<int> parsed = ParseFlagShare(bad);
    EXPECT_EQ(parsed.status().kind(), ErrorKind::kInvalidInput) << bad;
    EXPECT_NE(parsed.status().message().find("0% to 100%"), std::string::npos) << bad;
  }
}

TEST(FlagDecisionTest, SharesPrintWithoutTrailingZeros) {
  EXPECT_EQ(FormatFlagShare(1000), "10%");
  EXPECT_EQ(FormatFlagShare(50), "0.5%");
  EXPECT_EQ(FormatFlagShare(25), "0.25%");
  EXPECT_EQ(FormatFlagShare(0), "0%");
  EXPECT_EQ(FormatFlagShare(10000), "100%");
  for (int basis_points = 0; basis_points <= kBuckets; ++basis_points) {
    Result<int> back = ParseFlagShare(FormatFlagShare(basis_points));
    ASSERT_TRUE(back.ok() && *back == basis_points) << basis_points;
  }
}

}  // namespace
}  // namespace tandem
