// SQL text for column and constraint definitions, shared by create_table,
// add_column and create_constraint.
#pragma once

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

}  // namespace tandem::plan
