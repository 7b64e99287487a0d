// The planner against a hand-made catalog: no database needed.
#include "plan/planner.h"

#include <gtest/gtest.h>

#include "plan/plan_json.h"
#include "reader/reader.h"

namespace tandem::plan {
namespace {

Catalog UsersCatalog() {
  Catalog catalog;
  catalog.schema = "public";
  catalog.schemas = {"public", "pg_catalog"};
  CatalogTable users;
  users.name = "users";
  users.columns = {{"id", "bigint", true, "nextval('users_id_seq'::regclass)", false, ""},
                   {"name", "text", false, "", false, ""},
                   {"email", "text", true, "", false, "contact"}};
  users.primary_key = {"id"};
  users.constraints = {{"users_pkey", 'p', {"id"}, true, ""}};
  users.indexes = {{"users_pkey", true, true, true, {"id"}, ""}};
  catalog.tables["users"] = users;
  catalog.relation_names = {"users", "users_pkey", "users_id_seq"};
  return catalog;
}

Result<Plan> PlanText(const std::string& yaml, const Catalog& catalog = UsersCatalog()) {
  auto migration = reader::ParseMigration(yaml, "02_change.yaml");
  EXPECT_TRUE(migration.ok()) << migration.status().message();
  if (!migration.ok()) return migration.status();
  return PlanMigration(*migration, catalog, PlanOptions{});
}

std::string AllSql(const std::vector<Step>& steps) {
  std::string sql;
  for (const auto& step : steps) {
    for (const auto& s : step.statements) sql += s + ";\n";
  }
  return sql;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

constexpr char kNameNotNull[] = R"y(operations:
  - alter_column:
      table: users
      column: name
      nullable: false
      up: SELECT CASE WHEN name IS NULL THEN 'anonymous' ELSE name END
      down: name
)y";

TEST(PlannerTest, AlterColumnExpandsIntoAShadowColumnTriggerAndView) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->version_schema, "public_02_change");
  std::string expand = AllSql(plan->expand);
  EXPECT_TRUE(Contains(expand, "ADD COLUMN \"_tandem_new_name\" text;"));
  EXPECT_TRUE(Contains(expand, "CHECK (\"_tandem_new_name\" IS NOT NULL) NOT VALID"));
  EXPECT_TRUE(Contains(expand, "ADD COLUMN \"_tandem_written_by\" \"char\""));
  EXPECT_TRUE(Contains(expand,
                       "NEW.\"_tandem_new_name\" := CASE WHEN NEW.\"name\" IS NULL THEN "
                       "'anonymous' ELSE NEW.\"name\" END;"));
  EXPECT_TRUE(Contains(expand, "NEW.\"name\" := NEW.\"_tandem_new_name\";"));
  EXPECT_TRUE(Contains(expand,
                       "CREATE VIEW \"public_02_change\".\"users\" AS SELECT \"id\" AS "
                       "\"id\", \"_tandem_new_name\" AS \"name\", \"email\" AS \"email\""));
  ASSERT_EQ(plan->syncs.size(), 1u);
  EXPECT_TRUE(plan->syncs[0].backfill);
  EXPECT_EQ(plan->syncs[0].key_columns, std::vector<std::string>{"id"});
  // The old column's expression is checked against the live table first.
  ASSERT_FALSE(plan->checks.empty());
  EXPECT_TRUE(Contains(plan->checks[0].sql, "FROM \"public\".\"users\" LIMIT 0"));
  EXPECT_TRUE(Contains(plan->checks[0].where, "02_change.yaml:6:11: operations[0].alter_column.up"))
      << plan->checks[0].where;
}

TEST(PlannerTest, CompleteValidatesThenSwitchesInOneStep) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->complete.size(), 2u);
  EXPECT_EQ(plan->complete[0].lock, LockLevel::kShareUpdateExclusive);
  EXPECT_TRUE(Contains(AllSql({plan->complete[0]}), "VALIDATE CONSTRAINT"));
  EXPECT_EQ(plan->complete[0].kind, StepKind::kPlain);
  EXPECT_EQ(plan->complete[1].kind, StepKind::kSwitch);
  std::string contract = AllSql({plan->complete[1]});
  size_t drop = contract.find("DROP COLUMN \"name\"");
  size_t rename = contract.find("RENAME COLUMN \"_tandem_new_name\" TO \"name\"");
  size_t not_null = contract.find("ALTER COLUMN \"name\" SET NOT NULL");
  ASSERT_NE(drop, std::string::npos);
  ASSERT_NE(rename, std::string::npos);
  ASSERT_NE(not_null, std::string::npos);
  EXPECT_LT(drop, rename);
  EXPECT_LT(rename, not_null);
  EXPECT_TRUE(Contains(contract, "DROP TRIGGER IF EXISTS \"_tandem_dual_write\""));
  EXPECT_TRUE(Contains(contract, "DROP COLUMN \"_tandem_written_by\""));
}

TEST(PlannerTest, RollbackDropsEverythingStartAdded) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok());
  std::string rollback = AllSql(plan->rollback);
  EXPECT_TRUE(Contains(rollback, "DROP SCHEMA IF EXISTS \"public_02_change\" CASCADE"));
  EXPECT_TRUE(Contains(rollback, "DROP COLUMN IF EXISTS \"_tandem_written_by\""));
  EXPECT_TRUE(Contains(rollback, "DROP COLUMN IF EXISTS \"_tandem_new_name\""));
  EXPECT_FALSE(Contains(rollback, "DROP COLUMN IF EXISTS \"name\""));
}

TEST(PlannerTest, UnknownTableAndColumnPointAtTheFile) {
  auto table = PlanText("operations:\n  - drop_column: {table: user, column: name}\n");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_TRUE(Contains(table.status().message(),
                       "02_change.yaml:2:26: operations[0].drop_column.table: table \"user\" does "
                       "not exist"))
      << table.status().message();
  auto column = PlanText("operations:\n  - drop_column: {table: users, column: nmae}\n");
  ASSERT_FALSE(column.ok());
  EXPECT_TRUE(Contains(column.status().message(), "its columns are: id, name, email"))
      << column.status().message();
}

TEST(PlannerTest, IndexesAreBuiltConcurrentlyAndCleanedUpOnFailure) {
  auto plan = PlanText(R"y(operations:
  - create_index: {name: users_email_idx, table: users, columns: [email]}
)y");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const Step* build = nullptr;
  for (const auto& s : plan->expand) {
    if (s.concurrent) build = &s;
  }
  ASSERT_NE(build, nullptr);
  EXPECT_EQ(build->index_to_clean, "users_email_idx");
  EXPECT_EQ(build->lock, LockLevel::kShareUpdateExclusive);
  EXPECT_TRUE(Contains(AllSql(plan->rollback), "DROP INDEX CONCURRENTLY IF EXISTS"));
  EXPECT_TRUE(plan->syncs.empty());
}

TEST(PlannerTest, VolatileDefaultIsBackfilledInsteadOfRewritingTheTable) {
  auto plan = PlanText(R"y(operations:
  - add_column:
      table: users
      column: {name: token, type: uuid, default: gen_random_uuid()}
)y");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::string expand = AllSql(plan->expand);
  EXPECT_TRUE(Contains(expand, "ADD COLUMN \"_tandem_new_token\" uuid;"));
  EXPECT_TRUE(Contains(expand, "SET DEFAULT gen_random_uuid()"));
  ASSERT_EQ(plan->syncs.size(), 1u);
  EXPECT_EQ(plan->syncs[0].up[0].expression, "gen_random_uuid()");
}

TEST(PlannerTest, ConstantDefaultStaysACatalogOnlyChange) {
  auto plan = PlanText(R"y(operations:
  - add_column:
      table: users
      column: {name: active, type: boolean, default: "true"}
)y");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(
      Contains(AllSql(plan->expand), "ADD COLUMN \"_tandem_new_active\" boolean DEFAULT true"));
  EXPECT_TRUE(plan->syncs.empty());
}

TEST(PlannerTest, RenamesAreVirtualUntilComplete) {
  auto plan = PlanText(R"y(operations:
  - rename_column: {table: users, from: email, to: email_address}
  - rename_table: {from: users, to: customers}
)y");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::string expand = AllSql(plan->expand);
  EXPECT_FALSE(Contains(expand, "RENAME"));
  EXPECT_TRUE(Contains(expand, "\"email\" AS \"email_address\" FROM \"public\".\"users\""));
  EXPECT_TRUE(Contains(expand, "\"public_02_change\".\"customers\""));
  std::string contract = AllSql(plan->complete);
  EXPECT_TRUE(Contains(contract, "RENAME COLUMN \"email\" TO \"email_address\""));
  EXPECT_TRUE(Contains(contract, "ALTER TABLE \"public\".\"users\" RENAME TO \"customers\""));
}

TEST(PlannerTest, ChangingAColumnTwiceInOneMigrationIsRefused) {
  auto plan = PlanText(R"y(operations:
  - alter_column: {table: users, column: name, type: varchar(100), up: name, down: name}
  - alter_column: {table: users, column: name, nullable: true, up: name, down: name}
)y");
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(Contains(plan.status().message(), "already changed by an earlier operation"))
      << plan.status().message();
}

TEST(PlannerTest, ConcurrentIndexBuildsAreRefusedOnBrokenPostgres14Releases) {
  constexpr char kIndex[] = R"y(operations:
  - create_index: {name: users_email_idx, table: users, columns: [email]}
)y";
  Catalog broken = UsersCatalog();
  broken.server_version = 140002;
  auto refused = PlanText(kIndex, broken);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().kind(), ErrorKind::kRefused);
  EXPECT_TRUE(Contains(refused.status().message(), "14.4"));
  Catalog fixed = UsersCatalog();
  fixed.server_version = 140004;
  EXPECT_TRUE(PlanText(kIndex, fixed).ok());
  broken.server_version = 140002;  // no index build: nothing to refuse
  EXPECT_TRUE(PlanText(kNameNotNull, broken).ok());
}

TEST(PlannerTest, ACopiedColumnGetsTheIndexesAndConstraintsOfTheOriginal) {
  Catalog catalog = UsersCatalog();
  catalog.tables["users"].indexes.push_back(
      {"users_name_idx",
       false,
       false,
       true,
       {"name"},
       "CREATE INDEX users_name_idx ON public.users USING btree (name) WHERE (name <> ''::text)"});
  catalog.tables["users"].constraints.push_back(
      {"users_name_check", 'c', {"name"}, true, "CHECK ((length(name) < 50))"});
  auto plan = PlanText(kNameNotNull, catalog);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(plan->warnings.empty());
  std::string expand = AllSql(plan->expand);
  EXPECT_TRUE(
      Contains(expand,
               "CREATE INDEX CONCURRENTLY \"_tandem_users_name_idx\" ON \"public\".\"users\" "
               "USING btree (\"_tandem_new_name\") WHERE (\"_tandem_new_name\" <> ''::text)"))
      << expand;
  EXPECT_TRUE(
      Contains(expand,
               "ADD CONSTRAINT \"_tandem_users_name_check\" CHECK ((length(\"_tandem_new_name\") "
               "< 50)) NOT VALID"))
      << expand;
  std::string complete = AllSql(plan->complete);
  EXPECT_TRUE(Contains(complete,
                       "RENAME CONSTRAINT \"_tandem_users_name_check\" TO "
                       "\"users_name_check\""))
      << complete;
  EXPECT_TRUE(Contains(complete,
                       "ALTER INDEX \"public\".\"_tandem_users_name_idx\" RENAME TO "
                       "\"users_name_idx\""))
      << complete;
  // Dropping that very constraint is what drop_constraint is for: it is not copied.
  auto drop = PlanText(
      "operations:\n  - drop_constraint: {table: users, column: name, name: users_name_check, up: "
      "name, down: name}\n",
      catalog);
  ASSERT_TRUE(drop.ok()) << drop.status().message();
  EXPECT_FALSE(Contains(AllSql(drop->expand), "users_name_check"));
  EXPECT_TRUE(Contains(AllSql(drop->expand), "_tandem_users_name_idx"));
}

TEST(PlannerTest, ForeignKeysKeepTheirOnDeleteSetColumns) {
  auto plan = PlanText(R"y(operations:
  - create_table:
      name: orders
      columns:
        - {name: id, type: bigint, pk: true}
        - {name: user_id, type: bigint, nullable: true}
        - {name: note, type: text, nullable: true}
      constraints:
        - name: orders_user_fk
          type: foreign_key
          columns: [user_id]
          references: {table: users, columns: [id], on_delete: SET NULL, on_delete_set_columns: [user_id]}
)y");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_TRUE(Contains(AllSql(plan->expand), "ON DELETE SET NULL (\"user_id\")"))
      << AllSql(plan->expand);
}

TEST(PlannerTest, AnExistingVersionSchemaIsRefused) {
  Catalog catalog = UsersCatalog();
  catalog.schemas.insert("public_02_change");
  auto plan = PlanText(kNameNotNull, catalog);
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(Contains(plan.status().message(), "already exists"));
}

// The live schema: created over the old version at the end of expand,
// repointed by the switch steps together with the dual-write function,
// over the final tables at complete, and put back (or dropped) by rollback.
TEST(PlannerTest, TheLiveSchemaFollowsEveryPhase) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->live_schema, "public_live");
  const Step& created = plan->expand.back();
  EXPECT_TRUE(Contains(AllSql({created}),
                       "CREATE VIEW \"public_live\".\"users\" AS SELECT "
                       "\"id\", \"name\", \"email\" FROM \"public\".\"users\""))
      << AllSql({created});
  ASSERT_EQ(plan->switch_to_new.size(), 1u);
  std::string to_new = AllSql(plan->switch_to_new);
  EXPECT_TRUE(Contains(to_new, "FROM \"public_02_change\".\"users\"")) << to_new;
  EXPECT_TRUE(Contains(to_new, "IN ('public_02_change', 'public_live')")) << to_new;
  std::string back = AllSql(plan->switch_back);
  EXPECT_TRUE(Contains(back, "FROM \"public\".\"users\"")) << back;
  EXPECT_TRUE(Contains(back, "current_schema() = 'public_02_change' THEN")) << back;
  EXPECT_FALSE(Contains(back, "'public_live')")) << back;
  // Complete drops the live views before what they read, and makes them
  // again over the final tables.
  std::string contract = AllSql(plan->complete);
  size_t dropped = contract.find("DROP VIEW IF EXISTS \"public_live\".\"users\"");
  size_t column = contract.find("DROP COLUMN");
  size_t remade = contract.rfind("CREATE VIEW \"public_live\".\"users\"");
  ASSERT_NE(dropped, std::string::npos) << contract;
  EXPECT_LT(dropped, column) << contract;
  EXPECT_GT(remade, column) << contract;
  // Rollback shows the old version first, then drops the schema start made.
  ASSERT_GE(plan->rollback.size(), 2u);
  EXPECT_EQ(AllSql({plan->rollback.front()}), back);
  EXPECT_EQ(plan->rollback.front().undoes_expand_step, static_cast<int>(plan->expand.size()) - 1);
  EXPECT_TRUE(Contains(AllSql({plan->rollback.back()}), "DROP SCHEMA IF EXISTS \"public_live\""));
}

// Until the trigger fills the new column, an old version's insert leaves
// it NULL: the NOT NULL stand-in check must not be there yet.
TEST(PlannerTest, NotValidConstraintsComeAfterTheDualWriteTrigger) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  int trigger = -1;
  int check = -1;
  for (int i = 0; i < static_cast<int>(plan->expand.size()); ++i) {
    std::string sql = AllSql({plan->expand[i]});
    if (Contains(sql, "CREATE TRIGGER")) trigger = i;
    if (Contains(sql, "ADD CONSTRAINT \"_tandem_nn_")) check = i;
  }
  ASSERT_GE(trigger, 0);
  EXPECT_GT(check, trigger);
}

TEST(PlannerTest, AnEarlierLiveSchemaIsKeptByRollback) {
  Catalog catalog = UsersCatalog();
  catalog.schemas.insert("public_live");
  auto plan = PlanText(kNameNotNull, catalog);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_FALSE(Contains(AllSql(plan->rollback), "DROP SCHEMA IF EXISTS \"public_live\""));
  EXPECT_TRUE(Contains(AllSql({plan->rollback.front()}), "CREATE VIEW \"public_live\".\"users\""));
}

TEST(PlannerTest, AVersionNamedLikeTheLiveSchemaIsRefused) {
  auto migration = reader::ParseMigration(kNameNotNull, "live.yaml");
  ASSERT_TRUE(migration.ok()) << migration.status().message();
  auto plan = PlanMigration(*migration, UsersCatalog(), PlanOptions{});
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_TRUE(Contains(plan.status().message(), "\"public_live\"")) << plan.status().message();
}

TEST(PlannerTest, PlanSurvivesItsJsonForm) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok());
  auto restored = PlanFromJson(PlanToJson(*plan));
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  EXPECT_EQ(PlanToJson(*restored), PlanToJson(*plan));
  EXPECT_EQ(restored->complete.size(), plan->complete.size());
  EXPECT_EQ(restored->syncs[0].up[0].expression, plan->syncs[0].up[0].expression);
  EXPECT_FALSE(PlanFromJson("{\"schema\": 1}").ok());
}

TEST(PlannerTest, EachRollbackStepNamesTheExpandStepWhoseObjectsItDrops) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  for (const auto& step : plan->rollback) {
    ASSERT_GE(step.undoes_expand_step, 0) << step.description;
    ASSERT_LT(step.undoes_expand_step, static_cast<int>(plan->expand.size()));
    const Step& made = plan->expand[step.undoes_expand_step];
    // The object the rollback step drops is the one its expand step created.
    if (Contains(step.description, "trigger")) {
      EXPECT_TRUE(Contains(made.description, "trigger")) << made.description;
    }
    if (Contains(step.description, "_tandem_new_name")) {
      EXPECT_TRUE(Contains(AllSql({made}), "ADD COLUMN \"_tandem_new_name\"")) << made.description;
    }
    if (Contains(step.description, "version schema")) {
      EXPECT_TRUE(Contains(AllSql({made}), "CREATE SCHEMA")) << made.description;
    }
  }
}

TEST(PlannerTest, PlanInputsSurviveTheJsonFormAndPlansCompareByWhatRuns) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok());
  Plan stored = *plan;
  stored.inputs = PlanInputs{UsersCatalog(), {"public_01_init"}};
  auto restored = PlanFromJson(PlanToJson(stored));
  ASSERT_TRUE(restored.ok()) << restored.status().message();
  ASSERT_TRUE(restored->inputs.has_value());
  EXPECT_EQ(PlanToJson(*restored), PlanToJson(stored));
  EXPECT_EQ(FirstDifference(*restored, *plan), "");

  restored->syncs[0].up[0].expression = "upper(" + restored->syncs[0].up[0].expression + ")";
  std::string difference = FirstDifference(*restored, *plan);
  EXPECT_TRUE(Contains(difference, "/syncs/0/up/0/expression")) << difference;
  EXPECT_TRUE(Contains(difference, "stored \"upper(")) << difference;
}

}  // namespace
}  // namespace tandem::plan
