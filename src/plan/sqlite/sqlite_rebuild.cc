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

// The table a rebuild copies the rows into before it takes the old one's name.
std::string RebuildTableName(const std::string& table) { return "_tandem_rebuild_" + table; }

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

ColumnRename SqlitePlanner::OriginalToFinal(const VirtualTable& table,
                                            const CatalogTable& original) const {
  return [this, &table, &original](const std::string& name) -> std::optional<std::string> {
    for (const auto& c : original.columns) {
      if (SameName(c.name, name)) return FinalName(table, replaced_by_, c.name);
    }
    return std::nullopt;
  };
}

ColumnRename SqlitePlanner::PhysicalToFinal(const VirtualTable& table) const {
  return [this, &table](const std::string& name) -> std::optional<std::string> {
    const CatalogTable* original = catalog_.FindTable(table.physical);
    bool column = original != nullptr && original->FindColumn(name) != nullptr;
    for (const auto& c : table.columns) column = column || c.physical == name;
    auto added = added_columns_.find(table.physical);
    column = column || (added != added_columns_.end() && added->second.count(name) > 0);
    if (!column) return std::nullopt;
    return FinalName(table, replaced_by_, name);
  };
}

// The catalog's UNIQUE and FOREIGN KEY constraints (under the name the
// definition gave them) and the definition's CHECKs, on the final columns;
// those drop_constraint removes and those over a dropped column are left out.
std::vector<std::string> SqlitePlanner::KeptConstraints(const VirtualTable& table) {
  const CatalogTable& original = *catalog_.FindTable(table.physical);
  const std::set<std::string>& dropped = dropped_constraints_[table.physical];
  const TableSql* sql = TableSqlOf(table.physical);
  auto gone = [&](const std::string& name) {
    plan_.warnings.push_back("constraint " + name + " of " + table.physical +
                             " goes away at complete: a column it covers is dropped");
  };
  std::vector<std::string> definitions;
  for (const auto& constraint : original.constraints) {
    if (dropped.count(constraint.name) > 0) continue;
    if (constraint.type != 'u' && constraint.type != 'f') continue;
    std::vector<std::string> columns;
    for (const auto& c : constraint.columns) columns.push_back(FinalName(table, replaced_by_, c));
    if (std::find(columns.begin(), columns.end(), "") != columns.end()) {
      gone(constraint.name);
      continue;
    }
    std::string named;
    for (const auto& n : sql ? sql->named : std::vector<NamedConstraintSql>{}) {
      if (n.type == constraint.type && SameNames(n.columns, constraint.columns)) {
        named = "CONSTRAINT " + QuoteIdent(n.name) + " ";
      }
    }
    if (constraint.type == 'u') definitions.push_back(named + "UNIQUE (" + Quoted(columns) + ")");
    if (constraint.type == 'f') {
      definitions.push_back(named + "FOREIGN KEY (" + Quoted(columns) + ") " +
                            constraint.definition);
    }
  }
  for (const auto& check : sql ? sql->checks : std::vector<CheckSql>{}) {
    if (!check.name.empty() && dropped.count(check.name) > 0) continue;
    auto expression = RenameColumnRefs(check.expression, OriginalToFinal(table, original));
    if (!expression) {
      gone(check.name.empty() ? "CHECK (" + check.expression + ")" : check.name);
      continue;
    }
    std::string named = check.name.empty() ? "" : "CONSTRAINT " + QuoteIdent(check.name) + " ";
    definitions.push_back(named + "CHECK (" + *expression + ")");
  }
  return definitions;
}

// create_constraint's CHECKs and FOREIGN KEYs on the final columns.
std::vector<std::string> SqlitePlanner::CreatedConstraints(const VirtualTable& table) {
  std::vector<std::string> definitions;
  for (const auto& constraint : created_constraints_) {
    if (constraint.table != table.physical) continue;
    std::string sql = constraint.definition;
    for (const auto& c : table.columns) {
      sql = ReplaceAll(sql, "NEW." + QuoteIdent(c.physical), QuoteIdent(c.name));
    }
    if (sql.find("NEW.\"") != std::string::npos) {
      plan_.warnings.push_back("constraint " + constraint.name + " of " + table.physical +
                               " is not created: a column it covers is dropped");
      continue;
    }
    definitions.push_back(sql);
  }
  return definitions;
}

// The table's own indexes as they were written (order, collation, partial,
// expressions), on the final columns.
std::vector<std::string> SqlitePlanner::KeptIndexes(const VirtualTable& table) {
  const CatalogTable& original = *catalog_.FindTable(table.physical);
  std::vector<std::string> sql;
  for (const auto& index : original.indexes) {
    if (index.definition.empty() || dropped_indexes_.count(index.name) > 0) continue;
    auto recreate = RenameIndexColumns(index.definition, OriginalToFinal(table, original));
    if (!recreate) {
      plan_.warnings.push_back("index " + index.name + " of " + table.physical +
                               " is not recreated by the rebuild at complete (it covers a dropped "
                               "column); recreate it with create_index if it should stay");
      continue;
    }
    sql.push_back(*recreate);
  }
  return sql;
}

// `"name" type [COLLATE] [PRIMARY KEY] [NOT NULL] [DEFAULT] ...` of a
// column of the rebuilt table.
std::string SqlitePlanner::ColumnDefinition(const VirtualTable& table,
                                            const VirtualColumn& c) const {
  const CatalogTable& original = *catalog_.FindTable(table.physical);
  const CatalogColumn* column = original.FindColumn(c.physical);
  auto found = shapes_.find(table.physical + "." + c.physical);
  ColumnShape shape;
  if (found != shapes_.end()) shape = found->second;
  std::string type = column ? column->type : shape.type;
  std::string sql = QuoteIdent(c.name) + (type.empty() ? "" : " " + type);
  std::string collate =
      column ? CollationOf(TableSqlOf(table.physical), c.physical) : shape.collate;
  if (!collate.empty()) sql += " COLLATE " + collate;
  if (original.primary_key.size() == 1 && original.primary_key[0] == c.physical) {
    sql += " PRIMARY KEY";
    if (ToLower(original.definition).find("autoincrement") != std::string::npos) {
      sql += " AUTOINCREMENT";
    }
  }
  if ((column && column->not_null) || shape.not_null) sql += " NOT NULL";
  if (shape.default_value.present) {
    if (!shape.default_value.is_null) sql += " DEFAULT " + DefaultSql(shape.default_value.value);
  } else if (column && !column->default_expr.empty()) {
    sql += " DEFAULT " + DefaultSql(column->default_expr);
  }
  if (shape.unique) sql += " UNIQUE";
  if (!shape.check.empty()) sql += " CHECK (" + shape.check + ")";
  if (!shape.references.empty()) sql += " " + shape.references;
  return sql;
}

bool RebuildsTable(const Plan& plan, const std::string& table) {
  std::string create = "CREATE TABLE " + QuoteIdent(RebuildTableName(table)) + " (";
  for (const auto& step : plan.complete) {
    for (const auto& statement : step.statements) {
      if (StartsWith(statement, create)) return true;
    }
  }
  return false;
}

std::vector<std::string> SqlitePlanner::RebuildStatements(const VirtualTable& table,
                                                          std::string& summary) {
  const CatalogTable& original = *catalog_.FindTable(table.physical);
  const TableSql* table_sql = TableSqlOf(table.physical);
  std::vector<std::string> key;
  for (const auto& k : original.primary_key) key.push_back(FinalName(table, replaced_by_, k));
  std::vector<std::string> definitions;
  std::vector<std::string> targets;
  std::vector<std::string> sources;
  for (const auto& c : table.columns) {
    targets.push_back(QuoteIdent(c.name));
    sources.push_back(QuoteIdent(c.physical));
    definitions.push_back(ColumnDefinition(table, c));
  }
  if (key.size() > 1) definitions.push_back("PRIMARY KEY (" + Quoted(key) + ")");
  for (auto& d : KeptConstraints(table)) definitions.push_back(d);
  for (auto& d : CreatedConstraints(table)) definitions.push_back(d);
  std::string options = table_sql && !table_sql->options.empty() ? " " + table_sql->options : "";
  std::string temporary = QuoteIdent(RebuildTableName(table.physical));
  std::string name = QuoteIdent(table.physical);
  std::vector<std::string> sql = {
      "CREATE TABLE " + temporary + " (\n  " + Join(definitions, ",\n  ") + "\n)" + options,
      "INSERT INTO " + temporary + " (" + Join(targets, ", ") + ") SELECT " + Join(sources, ", ") +
          " FROM " + name,
      "DROP TABLE " + name,
      // Legacy mode: the rename must not re-check views of the application
      // that refer to the table, which is briefly missing.
      "PRAGMA legacy_alter_table = ON",
      "ALTER TABLE " + temporary + " RENAME TO " + name,
      "PRAGMA legacy_alter_table = OFF",
  };
  for (auto& s : KeptIndexes(table)) sql.push_back(s);
  for (const auto& index : created_indexes_) {
    if (index.table != table.physical) continue;
    auto recreate = RenameIndexColumns(index.sql, PhysicalToFinal(table));
    if (recreate) {
      sql.push_back(*recreate);
    } else {
      plan_.warnings.push_back("index " + index.name +
                               " is not rebuilt at complete: a column it "
                               "covers is dropped");
    }
  }
  long long seconds = 1 + original.estimated_rows / kRebuildRowsPerSecond;
  summary = "rebuilds table " + table.physical + " (copies ~" +
            std::to_string(original.estimated_rows) +
            " rows in one transaction; blocks every writer of the database for about " +
            std::to_string(seconds) + " s, readers are not blocked)";
  return sql;
}

}  // namespace tandem::plan::sqlite
