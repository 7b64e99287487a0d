#include "backfill/postgres/statements.h"

#include <gtest/gtest.h>

#include "backfill/postgres/range_planner.h"

namespace tandem::backfill {
namespace {

TEST(PickBoundsTest, SplitsIntoPartsOfEqualPopulation) {
  std::vector<std::string> sorted;
  for (int i = 0; i <= 100; ++i) sorted.push_back(std::to_string(i));
  EXPECT_EQ(PickBounds(sorted, 4), (std::vector<std::string>{"25", "50", "75"}));
  EXPECT_TRUE(PickBounds(sorted, 1).empty());
  EXPECT_TRUE(PickBounds({"only"}, 4).empty());
}

TEST(PickBoundsTest, DropsRepeatedBounds) {
  EXPECT_EQ(PickBounds({"a", "a", "a", "a", "b"}, 4), (std::vector<std::string>{"a"}));
}

TEST(RangesBetweenTest, CoverTheWholeKeySpaceWithAnOpenEnd) {
  std::vector<KeyRange> ranges = RangesBetween({{"10"}, {"20"}}, 300);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_TRUE(ranges[0].lower.empty());
  EXPECT_EQ(ranges[0].upper, Key{"10"});
  EXPECT_EQ(ranges[1].lower, Key{"10"});
  EXPECT_EQ(ranges[1].upper, Key{"20"});
  EXPECT_EQ(ranges[2].lower, Key{"20"});
  EXPECT_TRUE(ranges[2].upper.empty()) << "rows inserted meanwhile are walked too";
  EXPECT_EQ(ranges[2].estimated_rows, 100);
}

plan::TableSync Sync(std::vector<std::string> keys) {
  plan::TableSync sync;
  sync.table = "t";
  sync.key_columns = std::move(keys);
  return sync;
}

TEST(PgStatementsTest, AChunkMovesItsCheckpointInTheSameStatement) {
  PgStatements statements("public", Sync({"a", "b"}), "tandem", 7);
  KeyRange range;
  range.number = 2;
  range.last = {"1", "x"};
  range.upper = {"5", "y"};
  Statement chunk = statements.Chunk(range, 500);
  EXPECT_NE(chunk.sql.find("(\"a\", \"b\") > ($2, $3)"), std::string::npos) << chunk.sql;
  EXPECT_NE(chunk.sql.find("(\"a\", \"b\") < ($4, $5)"), std::string::npos) << chunk.sql;
  EXPECT_NE(chunk.sql.find("UPDATE \"tandem\".\"backfill_checkpoints\""), std::string::npos);
  EXPECT_NE(chunk.sql.find("ORDER BY \"a\" DESC, \"b\" DESC"), std::string::npos)
      << "the last key of a composite key sorts every column descending";
  EXPECT_NE(chunk.sql.find("ctid = ANY"), std::string::npos) << "rows updated by TID scan";
}

plan::TableSync SyncUp(std::vector<plan::ColumnSync> up) {
  plan::TableSync sync = Sync({"id"});
  sync.up = std::move(up);
  return sync;
}

TEST(PgStatementsTest, AChunkComputesUpItselfAndItsSessionSkipsTheTrigger) {
  PgStatements statements("public", SyncUp({{"_tandem_new_name", "upper(NEW.\"name\")"}}), "tandem",
                          7);
  Statement chunk = statements.Chunk(KeyRange(), 100);
  EXPECT_NE(chunk.sql.find("UPDATE \"public\".\"t\" AS new SET \"_tandem_written_by\" = 'o', "
                           "\"_tandem_new_name\" = (upper(NEW.\"name\"))"),
            std::string::npos)
      << chunk.sql;
  EXPECT_EQ(statements.SessionSetup(),
            "SET tandem.backfill_session = 'on'; SET application_name = 'tandem backfill'");
}

TEST(PgStatementsTest, AnUpReadingAnotherNewColumnIsLeftToTheTrigger) {
  // The trigger assigns in order, so b's `up` sees a's new value; one SET
  // would see the old one.
  PgStatements statements("public", SyncUp({{"a", "NEW.\"x\" + 1"}, {"b", "NEW.\"a\" * 2"}}),
                          "tandem", 7);
  Statement chunk = statements.Chunk(KeyRange(), 100);
  EXPECT_EQ(chunk.sql.find("\"b\" = ("), std::string::npos) << chunk.sql;
  EXPECT_EQ(statements.SessionSetup(),
            "SET tandem.backfill_session = 'off'; SET application_name = 'tandem backfill'");
}

TEST(PgStatementsTest, ATableWithoutAKeyIsWalkedByPages) {
  PgStatements statements("public", Sync({}), "tandem", 7);
  statements.set_rows_per_page(50);
  KeyRange range;
  range.lower = {"10"};
  range.upper = {"30"};
  Statement chunk = statements.Chunk(range, 500);  // 10 pages
  ASSERT_TRUE(statements.by_ctid());
  EXPECT_EQ(chunk.params[0], backend::Value("(10,0)"));
  EXPECT_EQ(chunk.params[1], backend::Value("(20,0)"));
  range.last = {"20"};
  chunk = statements.Chunk(range, 5000);
  EXPECT_EQ(chunk.params[1], backend::Value("(30,0)")) << "never past the range's last page";
}

}  // namespace
}  // namespace tandem::backfill
