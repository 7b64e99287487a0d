// The backfill on every kind of key: composite, uuid, text, a unique NOT
// NULL key instead of a primary key, no key at all (walked by pages), an
// empty table, and keys crowded into one small interval. Each time every
// row is walked exactly once and ends with new = up(old).
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

// add_column `twice` = 2 * n on table `table`.
std::string AddTwice(const std::string& table) {
  return "operations:\n  - add_column:\n      table: " + table +
         "\n      up: n * 2\n      column:\n        name: twice\n        type: bigint\n"
         "        nullable: true\n";
}

class BackfillKeysTest : public PgTest {
 protected:
  void ExpectPlanSays(const std::string& table, const std::string& text) {
    CommandResult plan = Tandem({"plan", WriteMigration("02_twice.yaml", AddTwice(table))});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_NE(plan.out.find(text), std::string::npos) << plan.out;
  }

  // Starts the migration on `table` (which has a column n) and backfills
  // it with `concurrency` workers; checks every row and the checkpoints.
  // A walk by pages also visits row versions that other workers' updates
  // moved into its pages: there, rows walked are at least the rows.
  void BackfillAndCheck(const std::string& table, const std::string& concurrency = "2",
                        bool by_pages = false) {
    CommandResult start =
        Tandem({"start", "--skip-backfill", WriteMigration("02_twice.yaml", AddTwice(table))});
    ASSERT_EQ(start.exit_code, 0) << start.err;
    CommandResult backfill = Tandem({"backfill", "--concurrency", concurrency});
    ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
    std::string rows = Scalar("SELECT count(*) FROM " + table);
    EXPECT_EQ(Scalar("SELECT count(*) FROM " + table +
                     " WHERE _tandem_new_twice = n * 2 AND _tandem_written_by = 'o'"),
              rows);
    long long walked =
        std::stoll(Scalar("SELECT coalesce(sum(rows_done), 0) FROM tandem.backfill_checkpoints"));
    if (by_pages) {
      EXPECT_GE(walked, std::stoll(rows));
    } else {
      EXPECT_EQ(walked, std::stoll(rows)) << "every row walked exactly once";
    }
    EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.backfill_checkpoints WHERE NOT done"), "0");
    EXPECT_EQ(Scalar("SELECT backfill_done FROM tandem.migrations"), "t");
  }
};

TEST_F(BackfillKeysTest, CompositeKey) {
  Exec(
      "CREATE TABLE pairs (a integer, b text, n integer, PRIMARY KEY (a, b)); INSERT INTO pairs "
      "SELECT i % 7, 'b' || i, i FROM generate_series(1, 30000) i");
  BackfillAndCheck("pairs", "3");
  EXPECT_GT(std::stoi(Scalar("SELECT count(*) FROM tandem.backfill_checkpoints")), 1)
      << "the composite key was split into ranges";
}

TEST_F(BackfillKeysTest, UuidKey) {
  Exec(
      "CREATE TABLE things (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), n integer); INSERT "
      "INTO things (n) SELECT i FROM generate_series(1, 30000) i");
  BackfillAndCheck("things");
}

TEST_F(BackfillKeysTest, TextKeyWithCharactersThatNeedQuoting) {
  Exec(
      "CREATE TABLE labels (label text PRIMARY KEY, n integer); INSERT INTO labels SELECT "
      "'l\"' || i || E'\\\\,{}' || chr(10), i FROM generate_series(1, 20000) i");
  BackfillAndCheck("labels");
}

TEST_F(BackfillKeysTest, UniqueNotNullKeyWhenThereIsNoPrimaryKey) {
  Exec(
      "CREATE TABLE codes (code text NOT NULL UNIQUE, n integer); INSERT INTO codes SELECT 'c' "
      "|| i, i FROM generate_series(1, 20000) i");
  ExpectPlanSays("codes", "backfill codes in chunks along (code)");
  BackfillAndCheck("codes");
}

TEST_F(BackfillKeysTest, NoKeyAtAllIsWalkedByPages) {
  Exec(
      "CREATE TABLE logs (msg text, n integer); INSERT INTO logs SELECT 'm' || (i % 10), i FROM "
      "generate_series(1, 30000) i");
  ExpectPlanSays("logs", "chunks of pages (ctid)");
  BackfillAndCheck("logs", "2", /*by_pages=*/true);
  EXPECT_EQ(Tandem({"verify"}).exit_code, 0);
}

TEST_F(BackfillKeysTest, EmptyTable) {
  Exec("CREATE TABLE nothing (id bigint PRIMARY KEY, n integer)");
  BackfillAndCheck("nothing");
}

// 90% of the keys sit in [1, 27000], the rest are spread up to 10^12: a
// split assuming evenly spread keys would give one worker nearly everything.
class SkewedKeysTest : public BackfillKeysTest {
 protected:
  void SetUpDatabase() override {
    BackfillKeysTest::SetUpDatabase();
    if (HasFatalFailure()) return;
    Exec(
        "CREATE TABLE skewed (id bigint PRIMARY KEY, n integer); INSERT INTO skewed SELECT i, i "
        "FROM generate_series(1, 27000) i; INSERT INTO skewed SELECT 27000 + i::bigint * "
        "333333333, i "
        "FROM generate_series(1, 3000) i");
  }
  void ExpectBalancedRanges() {
    // Eight ranges for two workers: none should hold more than a quarter.
    EXPECT_LE(std::stoi(Scalar("SELECT max(rows_done) FROM tandem.backfill_checkpoints")), 7500)
        << Scalar(
               "SELECT string_agg(rows_done::text, ',' ORDER BY range_no) FROM "
               "tandem.backfill_checkpoints");
  }
};

TEST_F(SkewedKeysTest, RangesFollowTheSampledDistribution) {
  BackfillAndCheck("skewed");
  ExpectBalancedRanges();
}

TEST_F(SkewedKeysTest, RangesFollowTheHistogramWhenStatisticsAreFresh) {
  Exec("ANALYZE skewed");
  BackfillAndCheck("skewed");
  ExpectBalancedRanges();
}

}  // namespace
}  // namespace tandem::testing
