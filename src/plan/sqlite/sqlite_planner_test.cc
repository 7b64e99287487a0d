// The SQLite planner against a hand-made catalog: no database needed.
#include "plan/sqlite/sqlite_planner.h"

#include <gtest/gtest.h>

#include "reader/reader.h"
#include "support/users_migrations.h"

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

constexpr const char* kNameNotNull = ::tandem::testing::kUsersNameNotNull;

// Every statement of `steps`, the online rebuild's preparation included.
std::string Sql(const std::vector<Step>& steps) {
  std::string sql;
  for (const auto& step : steps) {
    if (step.copy) {
      for (const auto& s : step.copy->prepare) sql += s + ";\n";
    }
    for (const auto& s : step.statements) sql += s + ";\n";
  }
  return sql;
}

TEST(SqlitePlannerTest, NotNullIsAShadowColumnSyncedByTriggersAndARebuildAtComplete) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->syncs.size(), 1u);
  EXPECT_EQ(plan->syncs[0].up[0].target, "_tandem_new_name");
  EXPECT_EQ(plan->syncs[0].up[0].expression, "coalesce(NEW.\"name\", 'anonymous')");
  // The online rebuild: fill the final table beside the live one, swap,
  // then drop the old rows in chunks.
  ASSERT_EQ(plan->complete.size(), 3u);
  const Step& copy = plan->complete[0];
  EXPECT_EQ(copy.kind, StepKind::kCopyRows);
  ASSERT_TRUE(copy.copy.has_value());
  EXPECT_EQ(copy.copy->source, "users");
  EXPECT_EQ(copy.copy->target, "_tandem_rebuild_users");
  const Step& contract = plan->complete[1];
  EXPECT_EQ(contract.kind, StepKind::kSwitch);
  EXPECT_TRUE(contract.check_foreign_keys);
  EXPECT_NE(contract.description.find("rebuilds table users online (copies ~800000 rows"),
            std::string::npos)
      << contract.description;
  EXPECT_EQ(plan->complete[2].kind, StepKind::kDrainTable);
  EXPECT_EQ(plan->complete[2].copy->source, "_tandem_retired_users");
  std::string sql;
  for (const auto& s : copy.copy->prepare) sql += s + ";\n";
  for (const auto& s : contract.statements) sql += s + ";\n";
  EXPECT_NE(sql.find("ALTER TABLE \"_tandem_rebuild_users\" RENAME TO \"users\""),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("\"name\" TEXT NOT NULL"), std::string::npos) << sql;
  EXPECT_NE(sql.find("\"email\" TEXT DEFAULT 'none'"), std::string::npos) << sql;
  EXPECT_NE(sql.find("CREATE VIEW \"users__02_change\""), std::string::npos) << sql;
  // The update trigger ignores updates that set only tandem's columns (its
  // own, the backfill's): no recursion. Nor does it fire for the old
  // version's columns `up` and `down` do not read (id, email).
  std::string expand;
  for (const auto& step : plan->expand) {
    for (const auto& s : step.statements) expand += s + ";\n";
  }
  EXPECT_NE(expand.find("AFTER UPDATE OF \"name\" ON \"users\""), std::string::npos) << expand;
}

TEST(SqlitePlannerTest, RollbackDropsWhatStartAdded) {
  auto plan = PlanText(kNameNotNull);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::string sql = Sql(plan->rollback);
  EXPECT_NE(sql.find("DROP VIEW IF EXISTS \"users__02_change\""), std::string::npos) << sql;
  // The added columns go by an online rebuild into the table as its
  // CREATE TABLE read before start, not by DROP COLUMN (a rewrite in one
  // transaction).
  EXPECT_EQ(sql.find("DROP COLUMN"), std::string::npos) << sql;
  const Step* copy = nullptr;
  for (const auto& step : plan->rollback) {
    if (step.kind == StepKind::kCopyRows) copy = &step;
  }
  ASSERT_NE(copy, nullptr) << sql;
  EXPECT_EQ(copy->copy->prepare[0],
            "CREATE TABLE IF NOT EXISTS \"_tandem_rebuild_users\" (id INTEGER PRIMARY KEY, name "
            "TEXT, email TEXT)");
  EXPECT_EQ(copy->copy->copy.find("_tandem_new_name"), std::string::npos) << copy->copy->copy;
  EXPECT_NE(sql.find("SET sql = 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email "
                     "TEXT)'"),
            std::string::npos)
      << sql;
  EXPECT_EQ(plan->rollback.back().kind, StepKind::kDrainTable);
}

// The new version uses the table itself only where every change to it is a
// column ADD COLUMN gives its final shape under its real name; otherwise
// the view, with the column as a shadow.
TEST(SqlitePlannerTest, OnlyColumnsAddedInTheirFinalShapeLetTheNewVersionUseTheTable) {
  struct Case {
    const char* operations;
    bool table_itself;
  };
  const Case cases[] = {
      {"- add_column: {table: users, up: upper(name), column: {name: n, type: TEXT, nullable: "
       "true}}",
       true},
      {"- add_column: {table: users, column: {name: n, type: INTEGER, default: '0'}}", true},
      {"- add_column: {table: users, column: {name: n, type: TEXT, nullable: true}}\n"
       "- create_index: {table: users, name: users_n, columns: [n]}",
       true},
      {"- add_column: {table: users, up: upper(name), column: {name: n, type: TEXT, nullable: "
       "true, default: \"'x'\"}}",
       false},
      {"- add_column: {table: users, up: upper(name), column: {name: n, type: TEXT}}", false},
      {"- add_column: {table: users, column: {name: n, type: TEXT, nullable: true, unique: true}}",
       false},
      {"- add_column: {table: users, column: {name: n, type: TEXT, nullable: true}}\n"
       "- rename_column: {table: users, from: name, to: full_name}",
       false},
  };
  for (const Case& c : cases) {
    auto plan = PlanText(std::string("operations:\n") + c.operations + "\n");
    ASSERT_TRUE(plan.ok()) << plan.status().message() << "\n" << c.operations;
    ASSERT_EQ(plan->views.size(), 1u);
    std::string expected = c.table_itself ? "the new version uses the table users itself"
                                          : "the new version uses the view users__02_change";
    EXPECT_NE(plan->views[0].access.find(expected), std::string::npos)
        << plan->views[0].access << "\n"
        << c.operations;
    std::string expand;
    for (const auto& step : plan->expand) {
      for (const auto& sql : step.statements) expand += sql + ";\n";
    }
    std::string column = c.table_itself ? "ADD COLUMN \"n\"" : "ADD COLUMN \"_tandem_new_n\"";
    EXPECT_NE(expand.find(column), std::string::npos) << expand << "\n" << c.operations;
  }
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

// Every statement of a phase, one per line.

Catalog CatalogWith(const std::string& definition) {
  Catalog catalog = UsersCatalog();
  catalog.tables["users"].definition = definition;
  return catalog;
}

TEST(SqlitePlannerTest, CreateCheckGuardsTheNewVersionAndIsWrittenByTheRebuild) {
  auto plan = PlanText(R"y(operations:
  - create_constraint:
      name: name_set
      table: users
      type: check
      columns: [name]
      check: length(name) > 0
      up: {name: "coalesce(name, 'x')"}
      down: {name: name}
)y");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::string expand = Sql(plan->expand);
  EXPECT_NE(expand.find("SELECT RAISE(ABORT, 'CHECK constraint failed: name_set') WHERE NOT "
                        "(length(NEW.\"name\") > 0)"),
            std::string::npos)
      << expand;
  std::string complete = Sql(plan->complete);
  EXPECT_NE(complete.find("CONSTRAINT \"name_set\" CHECK (length(\"name\") > 0)"),
            std::string::npos)
      << complete;
  EXPECT_NE(plan->complete[1].description.find("rebuilds table users"), std::string::npos);
}

TEST(SqlitePlannerTest, CreateUniqueIsAUniqueIndexOnTheShadowColumnsRebuiltOnTheFinalOnes) {
  auto plan = PlanText(R"y(operations:
  - create_constraint:
      name: users_email_key
      table: users
      type: unique
      columns: [email]
      up: {email: lower(email)}
      down: {email: email}
)y");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_NE(
      Sql(plan->expand)
          .find("CREATE UNIQUE INDEX \"users_email_key\" ON \"users\" (\"_tandem_new_email\")"),
      std::string::npos);
  EXPECT_NE(
      Sql(plan->complete).find("CREATE UNIQUE INDEX \"users_email_key\" ON \"users\" (\"email\")"),
      std::string::npos)
      << Sql(plan->complete);
  EXPECT_NE(Sql(plan->rollback).find("DROP INDEX IF EXISTS \"users_email_key\""),
            std::string::npos);
}

TEST(SqlitePlannerTest, ForeignKeyToColumnsWithoutAUniqueIndexIsBadInput) {
  auto plan = PlanText(R"y(operations:
  - create_constraint:
      name: users_self_fk
      table: users
      type: foreign_key
      columns: [email]
      references: {table: users, columns: [name]}
      up: {email: email}
      down: {email: email}
)y");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(plan.status().message().find("unique index"), std::string::npos)
      << plan.status().message();
}

TEST(SqlitePlannerTest, DropConstraintLeavesItOutOfTheRebuiltTableAndKeepsTheRest) {
  auto plan = PlanText(R"y(operations:
  - drop_constraint: {table: users, column: name, name: name_set, up: name, down: name}
)y",
                       CatalogWith("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT "
                                   "COLLATE NOCASE CONSTRAINT name_set CHECK (name <> ''), email "
                                   "TEXT, CONSTRAINT email_set CHECK (email <> ''))"));
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::string complete = Sql(plan->complete);
  EXPECT_EQ(complete.find("name_set"), std::string::npos) << complete;
  EXPECT_NE(complete.find("\"name\" TEXT COLLATE NOCASE"), std::string::npos) << complete;
  EXPECT_NE(complete.find("CONSTRAINT \"email_set\" CHECK (email <> '')"), std::string::npos)
      << complete;
}

TEST(SqlitePlannerTest, DroppingAUniqueIndexConstraintDropsTheIndexWithoutARebuild) {
  Catalog catalog = UsersCatalog();
  catalog.tables["users"].indexes = {{"users_email_key",
                                      true,
                                      false,
                                      true,
                                      {"email"},
                                      "CREATE UNIQUE INDEX users_email_key ON users (email)"}};
  auto plan = PlanText(R"y(operations:
  - drop_multicolumn_constraint:
      table: users
      name: users_email_key
      up: {email: email}
      down: {email: email}
)y",
                       catalog);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::string complete = Sql(plan->complete);
  EXPECT_NE(complete.find("DROP INDEX IF EXISTS \"users_email_key\""), std::string::npos)
      << complete;
  EXPECT_EQ(complete.find("_tandem_rebuild_users"), std::string::npos) << complete;
}

TEST(SqlitePlannerTest, DropConstraintThatDoesNotExistSaysWhere) {
  auto plan = PlanText(R"y(operations:
  - drop_multicolumn_constraint: {table: users, name: nope, up: {name: name}, down: {name: name}}
)y");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(plan.status().message().find("02_change.yaml:2:"), std::string::npos)
      << plan.status().message();
}

TEST(SqlitePlannerTest, RebuildFollowsRenamedColumnsInChecksAndIndexes) {
  Catalog catalog = CatalogWith(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT CHECK (length(name) < 50), email "
      "TEXT) STRICT");
  catalog.tables["users"].indexes = {
      {"users_name",
       false,
       false,
       true,
       {"name"},
       "CREATE INDEX users_name ON users (name COLLATE NOCASE DESC) WHERE name <> ''"}};
  auto plan = PlanText(R"y(operations:
  - rename_column: {table: users, from: name, to: full_name}
  - drop_column: {table: users, column: email}
)y",
                       catalog);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::string complete = Sql(plan->complete);
  EXPECT_NE(complete.find("CHECK (length(\"full_name\") < 50)\n) STRICT"), std::string::npos)
      << complete;
  EXPECT_NE(complete.find("CREATE INDEX users_name ON users (\"full_name\" COLLATE NOCASE DESC) "
                          "WHERE \"full_name\" <> ''"),
            std::string::npos)
      << complete;
}

TEST(SqlitePlannerTest, ConflictClausesDroppingTheKeyAndRenamingConstraintsAreRefused) {
  auto conflict = PlanText(kNameNotNull, CatalogWith("CREATE TABLE users (id INTEGER PRIMARY KEY, "
                                                     "name TEXT UNIQUE ON CONFLICT REPLACE, email "
                                                     "TEXT)"));
  ASSERT_FALSE(conflict.ok());
  EXPECT_NE(conflict.status().message().find("ON CONFLICT"), std::string::npos);
  auto key = PlanText(R"y(operations:
  - drop_multicolumn_constraint: {table: users, name: users_pk, up: {id: id}, down: {id: id}}
)y",
                      CatalogWith("CREATE TABLE users (id INTEGER, name TEXT, email TEXT, "
                                  "CONSTRAINT users_pk PRIMARY KEY (id))"));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().kind(), ErrorKind::kRefused);
  EXPECT_NE(key.status().message().find("primary key"), std::string::npos);
  auto rename = PlanText(R"y(operations:
  - rename_constraint: {table: users, from: a, to: b}
)y");
  ASSERT_FALSE(rename.ok());
  EXPECT_EQ(rename.status().kind(), ErrorKind::kRefused);
}

}  // namespace
}  // namespace tandem::plan::sqlite
