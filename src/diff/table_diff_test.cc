#include "diff/table_diff.h"

#include <gtest/gtest.h>

#include "diff/scan.h"

namespace tandem::verify {
namespace {

ScanShape CompositeShape() {
  ScanShape shape;
  shape.table = "\"app\".\"events\"";
  shape.key_exprs = {"\"tenant\" COLLATE \"C\"", "\"seq\""};
  shape.key_types = {"text", "integer"};
  shape.row_exprs = {"\"tenant\"", "\"seq\"", "\"body\""};
  return shape;
}

TEST(TableDiffSum, ParsesAndPrintsBeyondSixtyFourBits) {
  for (const std::string text : {"0", "-1", "8785288900887344160697", "-59894217667775460001"}) {
    Result<__int128> sum = ParseSum(text);
    ASSERT_TRUE(sum.ok()) << text;
    EXPECT_EQ(SumToString(*sum), text);
  }
  EXPECT_FALSE(ParseSum("").ok());
  EXPECT_FALSE(ParseSum("-").ok());
  EXPECT_FALSE(ParseSum("12.5").ok());
}

TEST(TableDiffSum, RightHalfIsParentMinusLeft) {
  Checksum parent{10, ParseSum("8785288900887344160697").value()};
  Checksum left{4, ParseSum("-59894217667775460001").value()};
  Checksum right = parent - left;
  EXPECT_EQ(right.rows, 6);
  EXPECT_EQ(SumToString(right.sum), "8845183118555119620698");
  right += left;
  EXPECT_EQ(right, parent);
}

TEST(TableDiffSql, OpenRangeHasNoWhere) {
  EXPECT_EQ(RangeWhere(CompositeShape(), {}), "");
  EXPECT_TRUE(RangeParams({}).empty());
}

TEST(TableDiffSql, CompositeBoundsCompareRows) {
  KeyRange range{KeyValues{"t1", "5"}, KeyValues{"t2", "9"}};
  EXPECT_EQ(RangeWhere(CompositeShape(), range),
            " WHERE (\"tenant\" COLLATE \"C\", \"seq\") > ($1::text, $2::integer) AND "
            "(\"tenant\" COLLATE \"C\", \"seq\") <= ($3::text, $4::integer)");
  EXPECT_EQ(RangeParams(range), (std::vector<backend::Value>{"t1", "5", "t2", "9"}));
}

TEST(TableDiffSql, UpperBoundAloneStartsAtTheFirstParameter) {
  ScanShape shape = CompositeShape();
  shape.key_exprs = {"\"id\""};
  shape.key_types = {"bigint"};
  KeyRange range{std::nullopt, KeyValues{"100"}};
  EXPECT_EQ(RangeWhere(shape, range), " WHERE \"id\" <= $1::bigint");
  EXPECT_NE(KeyAtSql(shape, range).find("OFFSET $2::bigint LIMIT 1"), std::string::npos);
  EXPECT_NE(RowsSql(shape, range).find("ORDER BY \"id\" LIMIT $2::bigint"), std::string::npos);
}

TEST(TableDiffSql, PartitionValueIsPartOfTheRowHash) {
  ScanShape shape = CompositeShape();
  shape.partition = "created_at::date";
  EXPECT_EQ(HashExpr(shape),
            "pg_catalog.hashtextextended(ROW(\"tenant\", \"seq\", \"body\", "
            "(created_at::date))::text, 0)");
  EXPECT_NE(PartitionChecksumSql(shape, {}).find("SELECT (created_at::date)::text, count(*)"),
            std::string::npos);
}

TEST(TableDiffReport, FlagsFollowTheKindOfDifference) {
  DiffReport report;
  EXPECT_EQ(report.Flags(), 0);
  report.changed = 1;
  EXPECT_EQ(report.Flags(), kParityMismatch);
  report.missing = 1;
  EXPECT_EQ(report.Flags(), kParityMismatch | kCountMismatch);
  report.complete = false;
  EXPECT_EQ(report.Flags() & kScanIncomplete, kScanIncomplete);

  DiffReport partitions;
  partitions.partitions.push_back({std::string("eu"), 10, 10, true});
  EXPECT_EQ(partitions.Flags(), kParityMismatch);
  partitions.partitions.push_back({std::nullopt, 3, 4, true});
  EXPECT_EQ(partitions.Flags(), kParityMismatch | kCountMismatch);
}

}  // namespace
}  // namespace tandem::verify
