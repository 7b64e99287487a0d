// SQLite's table rebuild ("Making Other Kinds Of Table Schema Changes",
// sqlite.org/lang_altertable.html): create the table in its final shape
// under a temporary name, copy the rows, drop the old table, rename the new
// one, recreate the indexes. It runs inside the switch transaction, with
// foreign key enforcement off and PRAGMA foreign_key_check before COMMIT
// (Step::check_foreign_keys).
#include <algorithm>

#include "common/strings.h"
#include "plan/sqlite/sqlite_planner_internal.h"

namespace tandem::plan::sqlite {
namespace {

std::string Quoted(const std::vector<std::string>& names) {
  std::vector<std::string> quoted;
  for (const auto& n : names) quoted.push_back(QuoteIdent(n));
  return Join(quoted, ", ");
}

// The final name of a physical column, following a replaced original to the
// shadow column that took its place; "" when the column is gone.
std::string FinalName(const VirtualTable& table, const std::map<std::string, std::string>& replaced,
                      const std::string& physical) {
  std::string current = physical;
  auto it = replaced.find(table.physical + "." + physical);
  if (it != replaced.end()) current = it->second;
  for (const auto& c : table.columns) {
    if (c.physical == current) return c.name;
  }
  return "";
}

}  // namespace

std::string SqlitePlanner::IndexSqlOnFinal(const VirtualTable& table,
                                           const CatalogIndex& index) const {
  std::vector<std::string> columns;
  for (const auto& c : index.columns) {
    std::string name = c.empty() ? "" : FinalName(table, replaced_by_, c);
    if (name.empty()) return "";
    columns.push_back(name);
  }
  return std::string("CREATE ") + (index.unique ? "UNIQUE " : "") + "INDEX " +
         QuoteIdent(index.name) + " ON " + QuoteIdent(table.physical) + " (" + Quoted(columns) +
         ")";
}

std::vector<std::string> SqlitePlanner::RebuildStatements(const VirtualTable& table,
                                                          std::string& summary) {
  const CatalogTable& original = *catalog_.FindTable(table.physical);
  std::string lower = ToLower(original.definition);
  bool autoincrement = lower.find("autoincrement") != std::string::npos;
  std::vector<std::string> key;
  for (const auto& k : original.primary_key) key.push_back(FinalName(table, replaced_by_, k));
  std::vector<std::string> definitions;
  std::vector<std::string> targets;
  std::vector<std::string> sources;
  for (const auto& c : table.columns) {
    targets.push_back(QuoteIdent(c.name));
    sources.push_back(QuoteIdent(c.physical));
    const CatalogColumn* column = original.FindColumn(c.physical);
    auto found = shapes_.find(table.physical + "." + c.physical);
    ColumnShape shape;
    if (found != shapes_.end()) shape = found->second;
    std::string type = column ? column->type : shape.type;
    std::string sql = QuoteIdent(c.name) + (type.empty() ? "" : " " + type);
    if (key.size() == 1 && key[0] == c.name) {
      sql += " PRIMARY KEY";
      if (autoincrement) sql += " AUTOINCREMENT";
    }
    if ((column && column->not_null) || shape.not_null) sql += " NOT NULL";
    if (shape.default_value.present) {
      if (!shape.default_value.is_null) sql += " DEFAULT " + shape.default_value.value;
    } else if (column && !column->default_expr.empty()) {
      sql += " DEFAULT " + column->default_expr;
    }
    if (shape.unique) sql += " UNIQUE";
    if (!shape.check.empty()) sql += " CHECK (" + shape.check + ")";
    if (!shape.references.empty()) sql += " " + shape.references;
    definitions.push_back(sql);
  }
  if (key.size() > 1) definitions.push_back("PRIMARY KEY (" + Quoted(key) + ")");
  for (const auto& constraint : original.constraints) {
    std::vector<std::string> columns;
    for (const auto& c : constraint.columns) columns.push_back(FinalName(table, replaced_by_, c));
    bool whole = std::find(columns.begin(), columns.end(), "") == columns.end();
    if (!whole) {
      plan_.warnings.push_back("constraint " + constraint.name + " of " + table.physical +
                               " goes away at complete: a column it covers is dropped");
      continue;
    }
    if (constraint.type == 'u') definitions.push_back("UNIQUE (" + Quoted(columns) + ")");
    if (constraint.type == 'f') {
      definitions.push_back("FOREIGN KEY (" + Quoted(columns) + ") " + constraint.definition);
    }
  }
  std::string temporary = QuoteIdent("_tandem_rebuild_" + table.physical);
  std::string name = QuoteIdent(table.physical);
  std::vector<std::string> sql = {
      "CREATE TABLE " + temporary + " (\n  " + Join(definitions, ",\n  ") + "\n)",
      "INSERT INTO " + temporary + " (" + Join(targets, ", ") + ") SELECT " + Join(sources, ", ") +
          " FROM " + name,
      "DROP TABLE " + name,
      // Legacy mode: the rename must not re-check views of the application
      // that refer to the table, which is briefly missing.
      "PRAGMA legacy_alter_table = ON",
      "ALTER TABLE " + temporary + " RENAME TO " + name,
      "PRAGMA legacy_alter_table = OFF",
  };
  for (const auto& index : original.indexes) {
    if (index.definition.empty() || dropped_indexes_.count(index.name) > 0) continue;
    std::string recreate = lower.empty() ? "" : IndexSqlOnFinal(table, index);
    bool partial = ToLower(index.definition).find(" where ") != std::string::npos;
    if (recreate.empty() || partial) {
      plan_.warnings.push_back("index " + index.name + " of " + table.physical +
                               " is not recreated by the rebuild at complete (it covers a dropped "
                               "column, an expression or is partial); recreate it with "
                               "create_index if it should stay");
      continue;
    }
    sql.push_back(recreate);
  }
  for (const auto& index : created_indexes_) {
    if (index.table != table.physical) continue;
    std::vector<std::string> columns;
    for (const auto& c : index.columns) columns.push_back(FinalName(table, replaced_by_, c));
    sql.push_back(std::string("CREATE ") + (index.unique ? "UNIQUE " : "") + "INDEX " +
                  QuoteIdent(index.name) + " ON " + name + " (" + Quoted(columns) + ")" +
                  (index.where.empty() ? "" : " WHERE " + index.where));
  }
  long long seconds = 1 + original.estimated_rows / kRebuildRowsPerSecond;
  summary = "rebuilds table " + table.physical + " (copies ~" +
            std::to_string(original.estimated_rows) +
            " rows in one transaction; blocks every writer of the database for about " +
            std::to_string(seconds) + " s, readers are not blocked)";
  return sql;
}

}  // namespace tandem::plan::sqlite
