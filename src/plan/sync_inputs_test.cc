#include "plan/sync_inputs.h"

#include <gtest/gtest.h>

namespace tandem::plan {
namespace {

using Columns = std::vector<std::string>;

const Columns kTable = {"id", "full_name", "email", "bal\"ance", "counter"};

TEST(SyncInputsTest, ColumnsUpAndDownReadAndDownSets) {
  TableSync sync;
  sync.up = {{"_tandem_new_first", "split_part(NEW.\"full_name\", ' ', 1)"},
             {"_tandem_new_balance", "CAST(NEW.\"bal\"\"ance\" AS real)"}};
  sync.down = {{"email", "lower(NEW.\"_tandem_new_first\")"}};
  EXPECT_EQ(SyncInputs(sync, kTable), (Columns{"full_name", "email", "bal\"ance"}));
}

TEST(SyncInputsTest, ConstantUpReadsNothing) {
  TableSync sync;
  sync.up = {{"_tandem_new_flag", "'newsletter'"}};
  EXPECT_TRUE(SyncInputs(sync, kTable).empty());
}

TEST(SyncInputsTest, ANameThatIsAPrefixOfAnotherIsNotRead) {
  TableSync sync;
  sync.up = {{"_tandem_new_x", "NEW.\"full_name2\""}};
  EXPECT_TRUE(SyncInputs(sync, kTable).empty());
}

TEST(SyncInputsTest, AnyOtherMentionOfTheRowReadsEverything) {
  TableSync sync;
  sync.up = {{"_tandem_new_x", "row_to_json(new)::text"}};
  EXPECT_EQ(SyncInputs(sync, kTable), kTable);
  sync.up = {{"_tandem_new_x", "NEW.counter + 1"}};
  EXPECT_EQ(SyncInputs(sync, kTable), kTable);
}

TEST(SyncInputsTest, WordsThatOnlyContainNewAreNotTheRow) {
  TableSync sync;
  sync.up = {{"_tandem_new_x", "renewal(NEW.\"counter\") || newest"}};
  EXPECT_EQ(SyncInputs(sync, kTable), (Columns{"counter"}));
}

}  // namespace
}  // namespace tandem::plan
