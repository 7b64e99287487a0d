// Lookups that fail with file:line:column errors, expression rewriting and
// shadow columns for the SQLite planner.
#include <algorithm>

#include "common/strings.h"
#include "lint/pg_parse.h"
#include "plan/column_refs.h"
#include "plan/planner_messages.h"
#include "plan/sqlite/sqlite_planner_internal.h"

namespace tandem::plan::sqlite {

SqlitePlanner::SqlitePlanner(const Migration& migration, const Catalog& catalog,
                             const PlanOptions& options)
    : PlannerBase(migration, catalog, options) {
  for (const auto& [name, table] : catalog.tables) {
    if (auto sql = ParseCreateTable(table.definition)) table_sql_.emplace(name, std::move(*sql));
  }
}

const TableSql* SqlitePlanner::TableSqlOf(const std::string& physical) const {
  auto found = table_sql_.find(physical);
  return found == table_sql_.end() ? nullptr : &found->second;
}

Status SqlitePlanner::Unsupported(const Operation& op, const std::string& why) const {
  return Status::Refused(Where(op, "") + ": " + why + ". Nothing was changed");
}

Result<VirtualTable*> SqlitePlanner::RequireTable(const Operation& op, const std::string& field,
                                                  const std::string& table) {
  VirtualTable* found = virtual_schema_.FindTable(table);
  if (found != nullptr) return found;
  return ErrorAt(op, field,
                 "table \"" + table +
                     "\" does not exist in the SQLite database (as the migration sees it at "
                     "this operation); check the name");
}

Status SqlitePlanner::RequireNewName(const Operation& op, const std::string& field,
                                     const std::string& name) {
  // SQLite has one namespace for tables, indexes, views and triggers.
  bool taken = virtual_schema_.FindTable(name) != nullptr || new_names_.count(name) > 0 ||
               catalog_.relation_names.count(name) > 0;
  if (taken) {
    return ErrorAt(op, field,
                   "\"" + name + "\" already exists in the database; choose another name");
  }
  new_names_.insert(name);
  return Status::Ok();
}

Status SqlitePlanner::RequireNewColumnName(const Operation& op, const std::string& field,
                                           const VirtualTable& table, const std::string& column) {
  std::string problem = NewColumnNameProblem(table, column);
  return problem.empty() ? Status::Ok() : ErrorAt(op, field, problem);
}

Status SqlitePlanner::RequireRebuildable(const Operation& op, const VirtualTable& table) const {
  const CatalogTable* original = catalog_.FindTable(table.physical);
  if (original == nullptr) return Status::Ok();
  std::string definition = ToLower(original->definition);
  auto refuse = [&](const std::string& what) {
    return Unsupported(op, "table \"" + table.name + "\" " + what +
                               ", which tandem cannot carry through the table rebuild SQLite "
                               "needs for this change");
  };
  if (definition.find("without rowid") != std::string::npos) {
    return refuse("is a WITHOUT ROWID table (tandem's dual-write finds rows by rowid)");
  }
  const TableSql* sql = TableSqlOf(table.physical);
  if (sql == nullptr) return refuse("has a CREATE TABLE statement tandem cannot read");
  // The rebuild writes UNIQUE, NOT NULL and FOREIGN KEY anew from the
  // catalog, which says neither how a conflict is resolved nor whether a
  // foreign key is deferred.
  if (sql->conflict_clause) return refuse("has an ON CONFLICT clause");
  if (sql->deferrable) return refuse("has a DEFERRABLE foreign key");
  if (!original->triggers.empty()) {
    return refuse("has triggers of its own (" + Join(original->triggers, ", ") + ")");
  }
  for (const auto& c : original->columns) {
    if (c.generated) return refuse("has a generated column (" + c.name + ")");
  }
  return Status::Ok();
}

// Checks `expression` against the live table (prepared before anything
// changes), then returns it as the dual-write trigger reads the row.
Result<std::string> SqlitePlanner::TriggerExpression(const Operation& op, const std::string& field,
                                                     const VirtualTable& table,
                                                     const std::string& expression,
                                                     const lint::ColumnResolver& check,
                                                     const lint::ColumnResolver& trigger) {
  auto checked = lint::RewriteColumnRefs(expression, check);
  if (!checked.ok()) return ErrorAt(op, field, checked.status().message());
  plan_.checks.push_back({Where(op, field), "SELECT (" + *checked + ") FROM " +
                                                QuoteIdent(table.physical) + " LIMIT 0"});
  auto rewritten = lint::RewriteColumnRefs(expression, trigger);
  if (!rewritten.ok()) return ErrorAt(op, field, rewritten.status().message());
  return rewritten;
}

Result<std::string> SqlitePlanner::UpExpression(const Operation& op, const std::string& field,
                                                const VirtualTable& table,
                                                const std::string& expression) {
  const CatalogTable* live = catalog_.FindTable(table.physical);
  return TriggerExpression(op, field, table, expression, LiveColumns(live, ""),
                           LiveColumns(live, "NEW."));
}

Result<std::string> SqlitePlanner::DownExpression(const Operation& op, const std::string& field,
                                                  const VirtualTable& table,
                                                  const std::string& expression) {
  return TriggerExpression(
      op, field, table, expression,
      VersionColumnsOrNull(catalog_.FindTable(table.physical), table,
                           [](const VirtualColumn&) { return std::string("NULL"); }),
      VersionColumns(table, "NEW."));
}

TableSync& SqlitePlanner::SyncFor(const VirtualTable& table) {
  TableSync& sync = syncs_[table.physical];
  sync.table = table.physical;
  sync.key_columns = table.key_columns;
  rebuild_.insert(table.physical);  // the marker column goes at complete
  return sync;
}

ColumnShape& SqlitePlanner::ShapeOf(const std::string& table, const std::string& column) {
  return shapes_[table + "." + column];
}

// SQLite accepts only a constant as ADD COLUMN's default.
bool IsConstantDefault(const std::string& value) {
  std::string v = ToLower(Trim(value));
  if (v == "null" || v == "true" || v == "false") return true;
  if (!v.empty() && v.front() == '\'' && v.back() == '\'') return true;
  if (!v.empty() && (v.front() == '-' || v.front() == '+')) v = v.substr(1);
  return !v.empty() && v.find_first_not_of("0123456789.e") == std::string::npos;
}

// A column definition takes a literal as written and any other expression
// only in parentheses, which pragma table_info leaves out of the default it
// reports (DEFAULT (datetime('now')) reads back as datetime('now')).
std::string DefaultSql(const std::string& value) {
  return IsConstantDefault(value) ? value : "(" + value + ")";
}

Result<std::string> SqlitePlanner::AddShadowColumn(const Operation& op, VirtualTable& table,
                                                   const std::string& name, const std::string& type,
                                                   const NullableString& default_value,
                                                   const std::string& collate) {
  return AddPhysicalColumn(op, table, name, NewColumnName(name), type, default_value, collate,
                           false);
}

Result<std::string> SqlitePlanner::AddPhysicalColumn(const Operation& op, VirtualTable& table,
                                                     const std::string& name,
                                                     const std::string& physical,
                                                     const std::string& type,
                                                     const NullableString& default_value,
                                                     const std::string& collate, bool not_null) {
  if (added_columns_[table.physical].count(physical) > 0) {
    return ErrorAt(op, "column",
                   "column \"" + name + "\" of table \"" + table.name +
                       "\" is changed twice in this migration; combine the changes into one "
                       "alter_column or split the migration in two");
  }
  std::string sql = "ALTER TABLE " + QuoteIdent(table.physical) + " ADD COLUMN " +
                    QuoteIdent(physical) + " " + type;
  if (!collate.empty()) sql += " COLLATE " + collate;
  if (not_null) sql += " NOT NULL";
  // A constant default applies to existing rows at once without a rewrite;
  // any other default is the rebuilt table's, and `up` fills existing rows.
  if (default_value.IsSet() && IsConstantDefault(default_value.value)) {
    sql += " DEFAULT " + default_value.value;
  }
  Step step;
  step.description = std::string(physical == name ? "add column " : "add shadow column ") +
                     table.physical + "." + physical + " (" + type + "; metadata only, no rewrite)";
  step.statements.push_back(sql);
  step.tables = {table.physical};
  step.lock = LockLevel::kExclusive;
  plan_.expand.push_back(step);
  added_columns_[table.physical].insert(physical);
  ColumnShape& shape = ShapeOf(table.physical, physical);
  shape.type = type;
  shape.default_value = default_value;
  shape.collate = collate;
  return physical;
}

Result<const CatalogColumn*> SqlitePlanner::RequireReplaceable(const Operation& op,
                                                               const std::string& field,
                                                               const VirtualTable& table,
                                                               const VirtualColumn& column) {
  if (table.created) {
    return ErrorAt(op, "table",
                   "table \"" + table.name +
                       "\" is created by this migration; give the column its final shape in "
                       "create_table");
  }
  const CatalogTable* original = catalog_.FindTable(table.physical);
  const CatalogColumn* original_column = original ? original->FindColumn(column.physical) : nullptr;
  if (original_column == nullptr) {
    return ErrorAt(op, field,
                   "column \"" + column.name +
                       "\" was added or changed earlier in this migration; give it its final "
                       "shape there");
  }
  for (const auto& key : table.key_columns) {
    if (key == column.physical) {
      return Unsupported(op, "column \"" + column.name + "\" is part of the primary key of \"" +
                                 table.name +
                                 "\"; changing a key column is not supported on SQLite");
    }
  }
  if (table.key_columns.empty()) {
    return ErrorAt(op, "table",
                   "table \"" + table.name +
                       "\" has no primary key; tandem needs one to write through the new "
                       "version's view. Add a primary key first");
  }
  TANDEM_RETURN_IF_ERROR(RequireRebuildable(op, table));
  return original_column;
}

Result<ColumnShape*> SqlitePlanner::ReplaceColumn(const Operation& op, const std::string& field,
                                                  VirtualTable& table, VirtualColumn& column,
                                                  const std::string& type,
                                                  NullableString default_value,
                                                  const std::string& up, const std::string& down) {
  TANDEM_ASSIGN_OR_RETURN(const CatalogColumn* original_column,
                          RequireReplaceable(op, field, table, column));
  if (!default_value.present && !original_column->default_expr.empty()) {
    default_value = {true, false, original_column->default_expr};
  }
  std::string collate = CollationOf(TableSqlOf(table.physical), column.physical);
  // No default on the added column: the backfill fills every row anyway,
  // and a constant for all of them would break a unique index built now.
  TANDEM_ASSIGN_OR_RETURN(std::string shadow,
                          AddShadowColumn(op, table, column.name, type, {}, collate));
  TANDEM_ASSIGN_OR_RETURN(std::string original_physical,
                          SyncThroughShadow(op, table, column, shadow, type, up, down));
  replaced_by_[table.physical + "." + original_physical] = shadow;
  ColumnShape& shape = ShapeOf(table.physical, shadow);
  shape.default_value = default_value;
  shape.not_null = original_column->not_null;
  column.nullable = !original_column->not_null;
  return &shape;
}

std::string SqlitePlanner::ReferencesClause(const Operation& op, const ForeignKeyRef& ref,
                                            Status& error) {
  VirtualTable* target = virtual_schema_.FindTable(ref.table);
  if (target == nullptr) {
    error =
        ErrorAt(op, "references.table", "referenced table \"" + ref.table + "\" does not exist");
    return "";
  }
  std::vector<std::string> columns;
  for (const auto& c : ref.columns) {
    if (!target->FindColumn(c)) {
      error =
          ErrorAt(op, "references.column",
                  "referenced column \"" + c + "\" does not exist in table \"" + ref.table + "\"");
      return "";
    }
    columns.push_back(QuoteIdent(c));
  }
  // Final names: the clause is used by the rebuilt table and by new tables.
  std::string sql = "REFERENCES " + QuoteIdent(ref.table);
  if (!columns.empty()) sql += " (" + Join(columns, ", ") + ")";
  if (!ref.on_delete.empty()) sql += " ON DELETE " + ref.on_delete;
  if (!ref.on_update.empty()) sql += " ON UPDATE " + ref.on_update;
  if (ref.deferrable) sql += " DEFERRABLE";
  if (ref.initially_deferred) sql += " INITIALLY DEFERRED";
  return sql;
}

std::string SqliteViewName(const std::string& table, const std::string& version) {
  return table + "__" + version;
}

}  // namespace tandem::plan::sqlite
