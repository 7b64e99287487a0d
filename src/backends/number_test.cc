#include "backends/number.h"

#include <gtest/gtest.h>

namespace tandem::backend {
namespace {

TEST(ToIntegerTest, ReadsTheWholeText) {
  Result<long long> n = ToInteger(Value("-42"), "rows");
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, -42);
}

TEST(ToIntegerTest, TextThatIsNotAnIntegerNamesWhatAndTheValue) {
  for (const char* text : {"12a", "", "abc", " 7", "1.5"}) {
    Result<long long> n = ToInteger(Value(text), "rows done of range 3");
    ASSERT_FALSE(n.ok()) << text;
    EXPECT_EQ(n.status().kind(), ErrorKind::kDatabase);
    EXPECT_EQ(n.status().message(),
              std::string("rows done of range 3 is \"") + text + "\", not an integer");
  }
}

TEST(ToIntegerTest, NullIsAnErrorUnlessGivenAValue) {
  Result<long long> n = ToInteger(Value(), "steps done");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "steps done is NULL, not an integer");
  Result<long long> zero = ToInteger(Value(), "steps done", 0);
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(*zero, 0);
  Result<long long> bad = ToInteger(Value("x"), "steps done", 0);
  EXPECT_FALSE(bad.ok());
}

TEST(ToIntegerTest, OutOfRangeIsNamed) {
  Result<long long> n = ToInteger(Value("99999999999999999999"), "a sum");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(),
            "a sum is \"99999999999999999999\", out of the range of an integer");
}

TEST(ToDoubleTest, ReadsDecimalAndExponentText) {
  Result<double> d = ToDouble(Value("1.5e+06"), "rate");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_DOUBLE_EQ(*d, 1.5e6);
  Result<double> i = ToDouble(Value("12"), "rate");
  ASSERT_TRUE(i.ok());
  EXPECT_DOUBLE_EQ(*i, 12);
}

TEST(ToDoubleTest, BadTextNullAndOutOfRange) {
  Result<double> bad = ToDouble(Value("fast"), "rate");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "rate is \"fast\", not a number");
  EXPECT_FALSE(ToDouble(Value(), "rate").ok());
  Result<double> null_as = ToDouble(Value(), "rate", 2.5);
  ASSERT_TRUE(null_as.ok());
  EXPECT_DOUBLE_EQ(*null_as, 2.5);
  Result<double> huge = ToDouble(Value("1e999"), "rate");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().message(), "rate is \"1e999\", out of the range of a number");
}

TEST(NumberReaderTest, KeepsTheFirstErrorAndReadsNullAsZero) {
  NumberReader read;
  EXPECT_EQ(read.Integer(Value("7"), "chunks"), 7);
  EXPECT_EQ(read.Integer(Value(), "retries"), 0);
  EXPECT_TRUE(read.status().ok());
  EXPECT_EQ(read.Integer(Value("seven"), "workers"), 0);
  EXPECT_DOUBLE_EQ(read.Double(Value("fast"), "rate"), 0);
  ASSERT_FALSE(read.status().ok());
  EXPECT_EQ(read.status().message(), "workers is \"seven\", not an integer");
}

}  // namespace
}  // namespace tandem::backend
