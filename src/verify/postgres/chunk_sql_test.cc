#include "verify/postgres/chunk_sql.h"

#include <gtest/gtest.h>

namespace tandem::verify {
namespace {

const Scope kBounded{"t AS new", "new.ctid < '(8,0)'::tid", true};
const Scope kOpenEnded{"t AS new", "new.ctid >= '(8,0)'::tid", false};

// One up column without a default, one with.
const std::vector<std::string> kDefaults = {"", "'none'"};

plan::TableSync Sync() {
  plan::TableSync sync;
  sync.table = "t";
  sync.up = {{"_tandem_new_a", "NEW.\"a\""}, {"_tandem_new_b", "NEW.\"b\""}};
  sync.down = {{"a", "NEW.\"_tandem_new_a\""}};
  return sync;
}

TEST(ConsistentChunkSql, CountsRowsApartOnlyWhereTheirNumberIsNotBounded) {
  std::string bounded = ConsistentChunkSql(Sync(), kDefaults, kBounded);
  EXPECT_EQ(bounded.rfind("SELECT sum(CASE WHEN ", 0), 0) << bounded;
  EXPECT_NE(bounded.find(" WHERE new.ctid < '(8,0)'::tid"), std::string::npos) << bounded;
  std::string open = ConsistentChunkSql(Sync(), kDefaults, kOpenEnded);
  EXPECT_EQ(open.rfind("SELECT count(*), sum(CASE WHEN ", 0), 0) << open;
  // A default count only for the column that has a default.
  EXPECT_EQ(open.find("IS NOT DISTINCT FROM ('none')"), open.rfind("IS NOT DISTINCT FROM"));
}

TEST(ReadConsistentRow, UnpacksRowsAndRowsTheNewVersionWroteFromOneSum) {
  // 7 rows, 2 of them written by the new version: 7 + 2 * 2^31.
  auto counts = ReadConsistentRow(kBounded, kDefaults, {"4294967303", "6", "7", "3"});
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->rows, 7);
  EXPECT_EQ(counts->written_by_new, 2);
  EXPECT_EQ(counts->nulls, (std::vector<long long>{1, 0}));
  EXPECT_EQ(counts->defaults, (std::vector<long long>{0, 3}));
}

TEST(ReadConsistentRow, ReadsTheRowCountApartInAnOpenEndedScope) {
  auto counts = ReadConsistentRow(kOpenEnded, kDefaults, {"9", "4", "9", "8", "0"});
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->rows, 9);
  EXPECT_EQ(counts->written_by_new, 4);
  EXPECT_EQ(counts->nulls, (std::vector<long long>{0, 1}));
}

TEST(ReadConsistentRow, ANegativeSumMeansARowIsNotConsistent) {
  // Beyond 64 bits once several rows are not consistent: only the sign is read.
  EXPECT_FALSE(ReadConsistentRow(kBounded, kDefaults, {"-18446744073709551609", "7", "7", "0"}));
  EXPECT_FALSE(
      ReadConsistentRow(kOpenEnded, kDefaults, {"9", "-9223372036854775805", "9", "8", "0"}));
}

TEST(ReadConsistentRow, AnEmptyChunkHasNoRows) {
  auto counts = ReadConsistentRow(kBounded, kDefaults, {std::nullopt, "0", "0", "0"});
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->rows, 0);
  EXPECT_EQ(counts->nulls, (std::vector<long long>{0, 0}));
}

}  // namespace
}  // namespace tandem::verify
