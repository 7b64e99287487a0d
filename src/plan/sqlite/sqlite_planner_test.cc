// The SQLite planner against a hand-made catalog: no database needed.
#include "plan/sqlite/sqlite_planner.h"

#include <gtest/gtest.h>

#include "reader/reader.h"

namespace tandem::plan::sqlite {
namespace {

Catalog UsersCatalog(int version = 3040001) {
  Catalog catalog;
  catalog.schema = "main";
  catalog.server_version = version;
  CatalogTable users;
  users.name = "users";
  users.definition = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT)";
  users.columns = {{"id", "INTEGER", false, "", false, ""},
                   {"name", "TEXT", false, "", false, ""},
                   {"email", "TEXT", false, "'none'", false, ""}};
  users.primary_key = {"id"};
  users.estimated_rows = 800000;
  catalog.tables["users"] = users;
  catalog.relation_names = {"users"};
  return catalog;
}

Result<Plan> PlanText(const std::string& yaml, const Catalog& catalog = UsersCatalog()) {
  auto migration = reader::ParseMigration(yaml, "02_change.yaml");
  EXPECT_TRUE(migration.ok()) << migration.status().message();
  if (!migration.ok()) return migration.status();
  return PlanSqliteMigration(*migration, catalog, PlanOptions{});
}

constexpr char kNameNotNull[] = R"y(operations:
  - alter_column:
      table: users
      column: name
      nullable: false
      up: coalesce(name, 'anonymous')
      down: name
)y";

TEST(SqlitePlannerTest, NotNullIsAShadowColumnSyncedByTriggersAndARebuildAtComplete) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->syncs.size(), 1u);
  EXPECT_EQ(plan->syncs[0].up[0].target, "_tandem_new_name");
  EXPECT_EQ(plan->syncs[0].up[0].expression, "coalesce(NEW.\"name\", 'anonymous')");
  ASSERT_EQ(plan->complete.size(), 1u);
  const Step& contract = plan->complete[0];
  EXPECT_TRUE(contract.check_foreign_keys);
  EXPECT_NE(contract.description.find("rebuilds table users (copies ~800000 rows"),
            std::string::npos)
      << contract.description;
  std::string sql;
  for (const auto& s : contract.statements) sql += s + ";\n";
  EXPECT_NE(sql.find("\"name\" TEXT NOT NULL"), std::string::npos) << sql;
  EXPECT_NE(sql.find("\"email\" TEXT DEFAULT 'none'"), std::string::npos) << sql;
  EXPECT_NE(sql.find("CREATE VIEW \"users__02_change\""), std::string::npos) << sql;
  // The update trigger ignores updates that set only tandem's columns (its
  // own, the backfill's): no recursion.
  std::string expand;
  for (const auto& step : plan->expand) {
    for (const auto& s : step.statements) expand += s + ";\n";
  }
  EXPECT_NE(expand.find("AFTER UPDATE OF \"id\", \"name\", \"email\" ON \"users\""),
            std::string::npos)
      << expand;
}

TEST(SqlitePlannerTest, RollbackDropsWhatStartAdded) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::string sql;
  for (const auto& step : plan->rollback) {
    for (const auto& s : step.statements) sql += s + ";\n";
  }
  EXPECT_NE(sql.find("DROP VIEW IF EXISTS \"users__02_change\""), std::string::npos) << sql;
  EXPECT_NE(sql.find("DROP COLUMN \"_tandem_new_name\""), std::string::npos) << sql;
  EXPECT_NE(sql.find("DROP COLUMN \"_tandem_written_by\""), std::string::npos) << sql;
}

TEST(SqlitePlannerTest, TooOldSqliteIsRefused) {
  auto plan = PlanText(kNameNotNull, UsersCatalog(3034001));
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().kind(), ErrorKind::kRefused);
  EXPECT_NE(plan.status().message().find("3.34.1 is too old"), std::string::npos)
      << plan.status().message();
}

TEST(SqlitePlannerTest, WhatSqliteCannotDoIsRefusedWithTheOperationsPlace) {
  auto plan = PlanText(R"y(operations:
  - set_replica_identity: {table: users, identity: {type: full}}
)y");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().kind(), ErrorKind::kRefused);
  EXPECT_NE(plan.status().message().find("02_change.yaml:2:"), std::string::npos)
      << plan.status().message();
}

}  // namespace
}  // namespace tandem::plan::sqlite
