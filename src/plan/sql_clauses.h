// SQL text for column and constraint definitions, shared by create_table,
// add_column and create_constraint.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "plan/migration.h"

namespace tandem::plan {

// `"name" type [GENERATED ...] [DEFAULT ...] [NOT NULL] [UNIQUE] [CHECK ...]`
// for a column of a new table. `references` is the REFERENCES clause or empty;
// `inline_pk` adds PRIMARY KEY.
std::string ColumnDefinitionSql(const ColumnDef& column, const std::string& references,
                                bool inline_pk);

// The `WITH (...)`, `INCLUDE (...)` and tablespace tail of an index-backed
// constraint.
std::string IndexParametersSql(const IndexParameters& params);

// `[DEFERRABLE [INITIALLY DEFERRED]]`
std::string DeferrableSql(bool deferrable, bool initially_deferred);

// `CONSTRAINT "name" ...` for a table constraint of a new table. `columns`
// are already quoted physical names; `check` is already rewritten; `references`
// is the REFERENCES clause for foreign keys.
std::string TableConstraintSql(const ConstraintDef& constraint,
                               const std::vector<std::string>& columns, const std::string& check,
                               const std::string& references);

// Replaces each column name in SQL text as PostgreSQL prints it (the
// column list and predicate of pg_get_indexdef) by rename(name), leaving the
// names rename() declines (nullopt) as they are. String literals, qualified
// names, types after `::` and function names are not column names.
std::string RenameColumnsInSql(
    const std::string& sql,
    const std::function<std::optional<std::string>(const std::string&)>& rename);

}  // namespace tandem::plan
