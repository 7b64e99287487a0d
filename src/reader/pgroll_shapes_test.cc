// Shapes pgroll's JSON schema (schema.json) accepts, read as pgroll reads
// them: each must come out of the reader, not as an error.
#include <gtest/gtest.h>

#include <string>

#include "reader/reader_test_helpers.h"

namespace tandem::reader {
namespace {

TEST(PgrollShapesTest, DropConstraintWithoutColumn) {
  auto op = OnlyBody<plan::DropConstraint>(R"(operations:
  - drop_constraint:
      table: posts
      name: title_length
      up: title
      down: SELECT CASE WHEN length(title) <= 3 THEN LPAD(title, 4, '-') ELSE title END
)");
  EXPECT_EQ(op.table, "posts");
  EXPECT_EQ(op.name, "title_length");
  EXPECT_EQ(op.column, "");
  EXPECT_EQ(op.up, "title");
}

// pgroll reads an empty `up` of drop_constraint as the column unchanged.
TEST(PgrollShapesTest, DropConstraintWithEmptyUp) {
  auto op = OnlyBody<plan::DropConstraint>(R"({"operations": [{"drop_constraint": {
  "table": "posts", "name": "title_length", "up": "", "down": "title"}}]})",
                                           "m.json");
  EXPECT_EQ(op.up, "");
  EXPECT_EQ(op.down, "title");
}

TEST(PgrollShapesTest, DropConstraintStillNeedsTheUpKey) {
  EXPECT_NE(ErrorOf("operations:\n  - drop_constraint: {table: t, name: c, down: x}\n")
                .find("operations[0].drop_constraint.up: required field is missing"),
            std::string::npos);
}

// Editors validate a JSON file against the schema named by `$schema`.
TEST(PgrollShapesTest, JsonSchemaKeyAtTheTopLevel) {
  plan::Migration m = MustParse(R"({
  "$schema": "https://raw.githubusercontent.com/xataio/pgroll/main/schema.json",
  "operations": [{"drop_table": {"name": "old_users"}}]
})",
                                "m.json");
  EXPECT_EQ(m.operations.size(), 1u);
}

TEST(PgrollShapesTest, SchemaKeyMustBeText) {
  EXPECT_NE(
      ErrorOf("{\"$schema\": [1], \"operations\": [{\"drop_table\": {\"name\": \"t\"}}]}", "m.json")
          .find("m.json:1:13: $schema:"),
      std::string::npos);
}

TEST(PgrollShapesTest, CreateTableWithNoColumns) {
  auto op =
      OnlyBody<plan::CreateTable>("operations:\n  - create_table: {name: markers, columns: []}\n");
  EXPECT_EQ(op.name, "markers");
  EXPECT_TRUE(op.columns.empty());
}

TEST(PgrollShapesTest, CreateTableStillNeedsTheColumnsKey) {
  EXPECT_NE(ErrorOf("operations:\n  - create_table: {name: markers}\n")
                .find("create_table.columns: required field is missing"),
            std::string::npos);
}

TEST(PgrollShapesTest, CreateAndDropATableInOneMigration) {
  plan::Migration m = MustParse(R"(operations:
  - create_table:
      name: scratch
      columns: [{name: id, type: integer, pk: true}]
  - drop_table: {name: scratch}
)");
  EXPECT_EQ(m.operations.size(), 2u);
}

// pgroll refuses an empty raw SQL operation ("migration is empty").
TEST(PgrollShapesTest, SqlWithEmptyUpIsRefused) {
  EXPECT_NE(ErrorOf("operations:\n  - sql: {up: \"\"}\n")
                .find("m.yaml:2:15: operations[0].sql.up: must not be empty"),
            std::string::npos);
}

}  // namespace
}  // namespace tandem::reader
