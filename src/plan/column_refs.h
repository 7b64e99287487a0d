// How both planners (PostgreSQL, SQLite) resolve the column names of a user
// expression before lint::RewriteColumnRefs rewrites them: to the live
// table's columns for `up`, to the version's columns for `down`, each with a
// prefix ("" to check the expression against the table, "NEW." for the
// dual-write trigger).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/strings.h"
#include "lint/pg_parse.h"
#include "plan/catalog.h"
#include "plan/virtual_schema.h"

namespace tandem::plan {

// Names of columns the live table has, as `prefix`"name".
inline lint::ColumnResolver LiveColumns(const CatalogTable* live, const std::string& prefix) {
  return [live, prefix](const std::string& name) -> std::optional<std::string> {
    if (live == nullptr || live->FindColumn(name) == nullptr) return std::nullopt;
    return prefix + QuoteIdent(name);
  };
}

// Names of the version's columns, as `prefix`"physical name".
inline lint::ColumnResolver VersionColumns(const VirtualTable& table, const std::string& prefix) {
  return [&table, prefix](const std::string& name) -> std::optional<std::string> {
    auto physical = table.PhysicalOf(name);
    if (!physical) return std::nullopt;
    return prefix + QuoteIdent(*physical);
  };
}

// The version's columns that the live table has, and `null_of(column)` for
// those expand creates (not there yet when the expression is checked).
inline lint::ColumnResolver VersionColumnsOrNull(
    const CatalogTable* live, const VirtualTable& table,
    std::function<std::string(const VirtualColumn&)> null_of) {
  return [live, &table,
          null_of = std::move(null_of)](const std::string& name) -> std::optional<std::string> {
    const VirtualColumn* column = table.FindColumn(name);
    if (column == nullptr) return std::nullopt;
    if (live != nullptr && live->FindColumn(column->physical) != nullptr) {
      return QuoteIdent(column->physical);
    }
    return null_of(*column);
  };
}

}  // namespace tandem::plan
