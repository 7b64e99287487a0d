// The final shape of a table SQLite's ALTER TABLE cannot reach, and the
// online rebuild that gives it that shape at complete
// (sqlite_online_rebuild.cc has the triggers and the swap).
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
std::vector<std::pair<std::string, std::string>> SqlitePlanner::KeptIndexes(
    const VirtualTable& table) {
  const CatalogTable& original = *catalog_.FindTable(table.physical);
  std::vector<std::pair<std::string, std::string>> sql;
  for (const auto& index : original.indexes) {
    if (index.definition.empty() || dropped_indexes_.count(index.name) > 0) continue;
    auto recreate = RenameIndexColumns(index.definition, OriginalToFinal(table, original));
    if (!recreate) {
      plan_.warnings.push_back("index " + index.name + " of " + table.physical +
                               " is not recreated by the rebuild at complete (it covers a dropped "
                               "column); recreate it with create_index if it should stay");
      continue;
    }
    sql.emplace_back(index.name, *recreate);
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
  for (const auto& step : plan.complete) {
    if (step.kind == StepKind::kCopyRows && step.copy && step.copy->source == table) return true;
  }
  return false;
}

std::vector<std::string> SqlitePlanner::FinalTableDefinitions(const VirtualTable& table) {
  const CatalogTable& original = *catalog_.FindTable(table.physical);
  std::vector<std::string> key;
  for (const auto& k : original.primary_key) key.push_back(FinalName(table, replaced_by_, k));
  std::vector<std::string> definitions;
  for (const auto& c : table.columns) definitions.push_back(ColumnDefinition(table, c));
  if (key.size() > 1) definitions.push_back("PRIMARY KEY (" + Quoted(key) + ")");
  for (auto& d : KeptConstraints(table)) definitions.push_back(d);
  for (auto& d : CreatedConstraints(table)) definitions.push_back(d);
  return definitions;
}

std::vector<std::pair<std::string, std::string>> SqlitePlanner::FinalIndexes(
    const VirtualTable& table) {
  std::vector<std::pair<std::string, std::string>> indexes = KeptIndexes(table);
  for (const auto& index : created_indexes_) {
    if (index.table != table.physical) continue;
    auto recreate = RenameIndexColumns(index.sql, PhysicalToFinal(table));
    if (recreate) {
      indexes.emplace_back(index.name, *recreate);
    } else {
      plan_.warnings.push_back("index " + index.name +
                               " is not rebuilt at complete: a column it "
                               "covers is dropped");
    }
  }
  return indexes;
}

OnlineRebuild SqlitePlanner::RebuildOnline(const VirtualTable& table) {
  const CatalogTable& original = *catalog_.FindTable(table.physical);
  const TableSql* table_sql = TableSqlOf(table.physical);
  RebuildShape shape;
  shape.table = table.physical;
  shape.rows = original.estimated_rows;
  for (const auto& c : table.columns) {
    shape.targets.push_back(QuoteIdent(c.name));
    shape.sources.push_back(QuoteIdent(c.physical));
  }
  std::string options = table_sql && !table_sql->options.empty() ? " " + table_sql->options : "";
  std::string body = " (\n  " + Join(FinalTableDefinitions(table), ",\n  ") + "\n)" + options;
  shape.create =
      "CREATE TABLE IF NOT EXISTS " + QuoteIdent(RebuildNamesOf(table.physical).target) + body;
  // As the rebuild before wrote it, not as the rename leaves it.
  shape.table_sql = "CREATE TABLE " + QuoteIdent(table.physical) + body;
  for (const auto& step : plan_.expand) {
    if (step.description == DualWriteStepName(table.physical)) shape.run_first = step.statements;
  }
  shape.indexes = FinalIndexes(table);
  for (const auto& index : original.indexes) {
    if (!index.definition.empty() && dropped_indexes_.count(index.name) == 0) {
      shape.retiring.emplace_back(index.name, index.definition);
    }
  }
  for (const auto& index : created_indexes_) {
    if (index.table == table.physical) shape.retiring.emplace_back(index.name, index.sql);
  }
  OnlineRebuild rebuild = BuildOnlineRebuild(shape);
  rebuild.copy.description = "rebuild " + table.physical + " online: fill " +
                             rebuild.copy.copy->target + " in its final shape beside it (~" +
                             std::to_string(shape.rows) +
                             " rows in short chunks; triggers copy every write meanwhile)";
  rebuild.summary = "rebuilds table " + table.physical + " online (copies ~" +
                    std::to_string(shape.rows) + " rows in chunks while writers go on; " +
                    kSwapStall + ")";
  return rebuild;
}

}  // namespace tandem::plan::sqlite
