#include <gtest/gtest.h>

#include "common/duration.h"
#include "common/sha256.h"
#include "common/strings.h"

namespace tandem {
namespace {

TEST(Sha256Test, MatchesKnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // Two blocks of padding.
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(DurationTest, ParsesUnits) {
  EXPECT_EQ(ParseDuration("500ms")->count(), 500);
  EXPECT_EQ(ParseDuration("2s")->count(), 2000);
  EXPECT_EQ(ParseDuration("10m")->count(), 600000);
  EXPECT_EQ(ParseDuration("1h")->count(), 3600000);
  EXPECT_EQ(ParseDuration("0")->count(), 0);  // zero needs no unit: it is zero in every one
}

TEST(DurationTest, ParsesCompoundsAndFractions) {
  EXPECT_EQ(ParseDuration("1h30m")->count(), 5400000);
  EXPECT_EQ(ParseDuration("1.5s")->count(), 1500);
  EXPECT_EQ(ParseDuration("2m05s")->count(), 125000);
  EXPECT_EQ(ParseDuration("0.25h")->count(), 900000);
}

TEST(DurationTest, RejectsABareNumberWithAUnitHint) {
  auto bare = ParseDuration("5");
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.status().message(), "invalid duration \"5\": give a unit, e.g. 5s or 500ms");
  EXPECT_FALSE(ParseDuration("1h30").ok());
  EXPECT_FALSE(ParseDuration("1.5").ok());
}

TEST(DurationTest, RejectsNonsenseWithAHint) {
  auto bad = ParseDuration("fast");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("500ms"), std::string::npos);
  EXPECT_FALSE(ParseDuration("5 parsecs").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("1.2.3s").ok());
  EXPECT_FALSE(ParseDuration("s").ok());
}

TEST(DurationTest, FormatsForPeople) {
  EXPECT_EQ(FormatDuration(Millis(340)), "340ms");
  EXPECT_EQ(FormatDuration(Millis(1250)), "1.25s");
  EXPECT_EQ(FormatDuration(Millis(125000)), "2m05s");
}

TEST(StringsTest, QuotesIdentifiersAndLiterals) {
  EXPECT_EQ(QuoteIdent("we\"ird"), "\"we\"\"ird\"");
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  EXPECT_EQ(QualifiedName("public", "users"), "\"public\".\"users\"");
}

TEST(StringsTest, FitColumnsCutsWholeCharacters) {
  EXPECT_EQ(FitColumns("users: 1,024 rows", 5), "users");
  EXPECT_EQ(FitColumns("short", 80), "short");
  // "é" is two bytes and one column: never cut inside it.
  EXPECT_EQ(FitColumns("caf\xc3\xa9 au lait", 4), "caf\xc3\xa9");
  EXPECT_EQ(FitColumns("caf\xc3\xa9", 3), "caf");
  EXPECT_EQ(FitColumns("", 0), "");
}

}  // namespace
}  // namespace tandem
