// What complete retires, as the planner describes it for the hidden-reader
// audit: against a hand-made catalog, no database needed.
#include "plan/retired.h"

#include <gtest/gtest.h>

#include "plan/plan_json.h"
#include "reader/reader.h"

namespace tandem::plan {
namespace {

Catalog TwoTables() {
  Catalog catalog;
  catalog.schema = "public";
  catalog.schemas = {"public"};
  CatalogTable users;
  users.name = "users";
  users.columns = {{"id", "bigint", true, "", false, ""},
                   {"name", "text", false, "", false, ""},
                   {"age", "integer", false, "", false, ""},
                   {"email", "text", false, "", false, ""}};
  users.primary_key = {"id"};
  CatalogTable notes;
  notes.name = "notes";
  notes.columns = {{"id", "bigint", true, "", false, ""}, {"body", "text", false, "", false, ""}};
  notes.primary_key = {"id"};
  catalog.tables["users"] = users;
  catalog.tables["notes"] = notes;
  catalog.relation_names = {"users", "notes"};
  return catalog;
}

Plan Planned(const std::string& yaml) {
  auto migration = reader::ParseMigration(yaml, "03_retire.yaml");
  EXPECT_TRUE(migration.ok()) << migration.status().message();
  PlanOptions options;
  options.previous_version_schemas = {"public_02_before"};
  auto plan = PlanMigration(*migration, TwoTables(), options);
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.ok() ? *plan : Plan{};
}

constexpr char kEveryChange[] = R"y(operations:
  - drop_column:
      table: users
      column: age
      down: "0"
  - alter_column:
      table: users
      column: email
      type: varchar(200)
      up: email
      down: email
  - rename_column:
      table: users
      from: name
      to: full_name
  - drop_table:
      name: notes
)y";

TEST(RetiredTest, NamesWhatCompleteDropsReplacesAndRenames) {
  Plan plan = Planned(kEveryChange);
  ASSERT_EQ(plan.retired.size(), 4u);
  EXPECT_EQ(plan.retired[0].table, "notes");
  EXPECT_EQ(plan.retired[0].column, "");
  EXPECT_EQ(plan.retired[0].change, RetiredChange::kDropped);
  // users' columns in the catalog's order: name, age, email.
  EXPECT_EQ(plan.retired[1].column, "name");
  EXPECT_EQ(plan.retired[1].change, RetiredChange::kRenamed);
  EXPECT_EQ(plan.retired[1].renamed_to, "full_name");
  EXPECT_EQ(plan.retired[2].column, "age");
  EXPECT_EQ(plan.retired[2].change, RetiredChange::kDropped);
  EXPECT_EQ(plan.retired[3].column, "email");
  EXPECT_EQ(plan.retired[3].change, RetiredChange::kReplaced);
  EXPECT_EQ(plan.retired_versions, std::vector<std::string>{"public_02_before"});
}

TEST(RetiredTest, ARenamedTableAndANewTableRetireOnlyTheOldName) {
  Plan plan = Planned(R"y(operations:
  - rename_table:
      from: notes
      to: memos
  - create_table:
      name: tags
      columns:
        - {name: id, type: bigint, pk: true}
)y");
  ASSERT_EQ(plan.retired.size(), 1u);
  EXPECT_EQ(plan.retired[0].table, "notes");
  EXPECT_EQ(plan.retired[0].change, RetiredChange::kRenamed);
  EXPECT_EQ(plan.retired[0].renamed_to, "memos");
}

TEST(RetiredTest, SurvivesTheStoredPlanAndDoesNotCountAsADifference) {
  Plan plan = Planned(kEveryChange);
  auto restored = PlanFromJson(PlanToJson(plan));
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  ASSERT_EQ(restored->retired.size(), plan.retired.size());
  EXPECT_EQ(restored->retired[1].renamed_to, "full_name");
  EXPECT_EQ(restored->retired[3].change, RetiredChange::kReplaced);
  // A plan stored before it was recorded has none, and still matches.
  Plan older = plan;
  older.retired.clear();
  older.retired_versions.clear();
  EXPECT_EQ(FirstDifference(older, plan), "");
}

}  // namespace
}  // namespace tandem::plan
