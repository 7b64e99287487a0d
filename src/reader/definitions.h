// Readers of the definitions operations share: columns, check and unique
// constraints, foreign key references and table constraints. Each reads one
// field of `parent` (absent optional fields give nullopt or an empty value)
// and reports problems to the parent's ErrorSink. Internal to the reader.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "plan/migration.h"
#include "reader/node_reader.h"

namespace tandem::reader {

// Constraint types of create_table's `constraints` and of create_constraint.
inline constexpr std::string_view kTableConstraintTypes[] = {"unique", "check", "primary_key",
                                                             "foreign_key", "exclude"};
inline constexpr std::string_view kCreateConstraintTypes[] = {"unique", "check", "foreign_key",
                                                              "primary_key"};

// One column definition (add_column's `column`, create_table's `columns`).
std::optional<plan::ColumnDef> ReadColumn(const MapReader& parent, std::string_view key,
                                          Need need = Need::kOptional);
std::vector<plan::ColumnDef> ReadColumnList(const MapReader& parent, std::string_view key);

// `default`: absent, null (drop the default), or an SQL expression that does
// not refer to a column (YAML quotes alone leave `'active'` a column name).
plan::NullableString ReadDefault(const MapReader& m);

// `check: {name, constraint, no_inherit}`.
std::optional<plan::CheckDef> ReadCheck(const MapReader& parent, std::string_view key);
// `unique: {name}` (alter_column).
std::optional<plan::UniqueDef> ReadUnique(const MapReader& parent, std::string_view key);
// A column's `references: {name, table, column, ...}`.
std::optional<plan::ForeignKeyRef> ReadColumnReference(const MapReader& parent,
                                                       std::string_view key);

// create_table's `constraints` list.
std::vector<plan::ConstraintDef> ReadConstraintList(const MapReader& parent, std::string_view key);
// The constraint fields of `m` (a constraints entry or create_constraint's
// body), with `type` one of `types`, checked for the fields each type needs.
plan::ConstraintDef ReadConstraintFields(const MapReader& m, KeyList types);

}  // namespace tandem::reader
