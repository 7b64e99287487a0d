// Helpers shared by the per-operation planning code: lookups that fail with
// file:line:column errors, expression rewriting, shadow columns.
#include <algorithm>
#include <set>

#include "common/strings.h"
#include "lint/pg_parse.h"
#include "plan/column_refs.h"
#include "plan/planner_internal.h"
#include "plan/planner_messages.h"

namespace tandem::plan {

Step TableStep(std::string description, std::string sql, const std::string& table, LockLevel lock) {
  Step step;
  step.description = std::move(description);
  step.statements.push_back(std::move(sql));
  step.tables = {table};
  step.lock = lock;
  return step;
}

Planner::Planner(const Migration& migration, const Catalog& catalog, const PlanOptions& options)
    : PlannerBase(migration, catalog, options) {}

Result<VirtualTable*> Planner::RequireTable(const Operation& op, const std::string& field,
                                            const std::string& table) {
  VirtualTable* found = virtual_schema_.FindTable(table);
  if (found != nullptr) return found;
  return ErrorAt(op, field,
                 "table \"" + table + "\" does not exist in schema \"" + options_.schema +
                     "\" (as the migration sees it at this operation); check the name, or "
                     "--schema if it lives in another schema");
}

Status Planner::RequireNewRelationName(const Operation& op, const std::string& field,
                                       const std::string& name) {
  // Taken: a table as the migration sees it, a name created earlier in this
  // migration, or any relation (table, index, sequence, view) that exists
  // physically, even one this migration drops or renames later.
  bool taken = virtual_schema_.FindTable(name) != nullptr || new_relation_names_.count(name) > 0 ||
               catalog_.relation_names.count(name) > 0;
  if (taken) {
    return ErrorAt(op, field,
                   "\"" + name + "\" already exists in schema \"" + options_.schema +
                       "\"; choose another name");
  }
  new_relation_names_.insert(name);
  return Status::Ok();
}

Status Planner::RequireNewColumnName(const Operation& op, const std::string& field,
                                     const VirtualTable& table, const std::string& column) {
  std::string problem = NewColumnNameProblem(table, column);
  return problem.empty() ? Status::Ok() : ErrorAt(op, field, problem);
}

void Planner::AddExpressionCheck(const Operation& op, const std::string& field,
                                 const VirtualTable& table, const std::string& expression,
                                 const lint::ColumnResolver& resolve) {
  auto rewritten = lint::RewriteColumnRefs(expression, resolve);
  if (!rewritten.ok()) return;  // the caller reports the parse error
  plan_.checks.push_back(
      {Where(op, field), "SELECT (" + *rewritten + ") FROM " + Qualified(table) + " LIMIT 0"});
}

Result<std::string> Planner::UpExpression(const Operation& op, const std::string& field,
                                          const VirtualTable& table,
                                          const std::string& expression) {
  const CatalogTable* live = catalog_.FindTable(table.physical);
  AddExpressionCheck(op, field, table, expression, LiveColumns(live, ""));
  auto rewritten = lint::RewriteColumnRefs(expression, LiveColumns(live, "NEW."));
  if (!rewritten.ok()) return ErrorAt(op, field, rewritten.status().message());
  return rewritten;
}

Result<std::string> Planner::DownExpression(const Operation& op, const std::string& field,
                                            const VirtualTable& table,
                                            const std::string& expression) {
  AddExpressionCheck(op, field, table, expression,
                     VersionColumnsOrNull(catalog_.FindTable(table.physical), table,
                                          [](const VirtualColumn& column) {
                                            return "CAST(NULL AS " + column.type + ")";
                                          }));
  auto rewritten = lint::RewriteColumnRefs(expression, VersionColumns(table, "NEW."));
  if (!rewritten.ok()) return ErrorAt(op, field, rewritten.status().message());
  return rewritten;
}

Result<std::string> Planner::PhysicalExpression(const Operation& op, const std::string& field,
                                                const VirtualTable& table,
                                                const std::string& expression) {
  auto resolve = [&table](const std::string& name) -> std::optional<std::string> {
    auto physical = table.PhysicalOf(name);
    if (!physical) return std::nullopt;
    return QuoteIdent(*physical);
  };
  auto rewritten = lint::RewriteColumnRefs(expression, resolve);
  if (!rewritten.ok()) return ErrorAt(op, field, rewritten.status().message());
  return rewritten;
}

// The key the backfill walks: the primary key, else the narrowest unique
// constraint whose columns are all NOT NULL (so it orders every row exactly
// once), else none: the backfill then walks the table by pages (ctid).
std::vector<std::string> Planner::WalkKey(const VirtualTable& table) const {
  if (!table.key_columns.empty()) return table.key_columns;
  const CatalogTable* original = catalog_.FindTable(table.physical);
  if (original == nullptr) return {};
  std::vector<std::string> best;
  for (const auto& constraint : original->constraints) {
    if (constraint.type != 'u' || constraint.columns.empty()) continue;
    bool not_null = std::all_of(constraint.columns.begin(), constraint.columns.end(),
                                [&](const std::string& name) {
                                  const CatalogColumn* c = original->FindColumn(name);
                                  return c != nullptr && c->not_null;
                                });
    if (not_null && (best.empty() || constraint.columns.size() < best.size())) {
      best = constraint.columns;
    }
  }
  return best;
}

TableSync& Planner::SyncFor(const VirtualTable& table) {
  TableSync& sync = syncs_[table.physical];
  sync.table = table.physical;
  sync.key_columns = WalkKey(table);
  return sync;
}

std::string Planner::Qualified(const VirtualTable& table) const {
  return Qualified(table.physical);
}

std::string Planner::Qualified(const std::string& physical_table) const {
  return QualifiedName(options_.schema, physical_table);
}

Result<std::string> Planner::AddShadowColumn(const Operation& op, VirtualTable& table,
                                             const std::string& name, const std::string& type) {
  std::string physical = NewColumnName(name);
  if (physical.size() > 63) {
    return ErrorAt(op, "column",
                   "column name \"" + name + "\" is too long for tandem's shadow column (" +
                       physical + " exceeds 63 bytes); use a shorter name");
  }
  if (added_columns_[table.physical].count(physical) > 0) {
    return ErrorAt(op, "column",
                   "column \"" + name + "\" of table \"" + table.name +
                       "\" is changed twice in this migration; combine the changes into one "
                       "alter_column or split the migration in two");
  }
  Step step;
  step.description = "add shadow column " + table.physical + "." + physical + " (" + type + ")";
  step.statements.push_back("ALTER TABLE " + Qualified(table) + " ADD COLUMN " +
                            QuoteIdent(physical) + " " + type);
  step.tables = {table.physical};
  step.lock = LockLevel::kAccessExclusive;
  plan_.expand.push_back(step);
  added_columns_[table.physical][physical] = LastExpandStep();
  return physical;
}

Result<std::string> Planner::DuplicateColumn(const Operation& op, VirtualTable& table,
                                             VirtualColumn& column, const std::string& type,
                                             const std::string& up, const std::string& down,
                                             const std::string& dropped_constraint,
                                             bool copy_default) {
  if (table.created) {
    return ErrorAt(op, "column",
                   "table \"" + table.name +
                       "\" is created by this migration; define the column as wanted in "
                       "create_table instead of changing it");
  }
  if (column.physical != column.name && StartsWith(column.physical, "_tandem_new_")) {
    return ErrorAt(op, "column",
                   "column \"" + column.name + "\" of table \"" + table.name +
                       "\" is already changed by an earlier operation of this migration; "
                       "combine the changes into one operation or split the migration");
  }
  const CatalogTable* original = catalog_.FindTable(table.physical);
  const CatalogColumn* original_column = original ? original->FindColumn(column.physical) : nullptr;
  if (original_column == nullptr) {
    return ErrorAt(op, "column",
                   "column \"" + column.name +
                       "\" was added by this migration; "
                       "give it its final shape where it is added");
  }
  if (!dropped_constraint.empty()) dropped_on_purpose_[table.physical].insert(dropped_constraint);
  TANDEM_ASSIGN_OR_RETURN(std::string shadow, AddShadowColumn(op, table, column.name, type));
  shadows_[table.physical][column.physical] = shadow;
  if (copy_default) CopyDefault(table, *original_column, shadow, type);
  if (!original_column->comment.empty()) {
    plan_.expand.push_back(TableStep("keep comment on " + shadow,
                                     "COMMENT ON COLUMN " + Qualified(table) + "." +
                                         QuoteIdent(shadow) + " IS " +
                                         QuoteLiteral(original_column->comment),
                                     table.physical, LockLevel::kShareUpdateExclusive));
  }
  TANDEM_ASSIGN_OR_RETURN(std::string original_physical,
                          SyncThroughShadow(op, table, column, shadow, type, up, down));
  duplicated_columns_.insert(table.physical + "." + original_physical);
  return shadow;
}

// Keeps the column's default for inserts through the new version. Under a
// new type the default may not fit (a text '0' on an integer): then, as in
// pgroll, the new column has none, rather than start failing.
void Planner::CopyDefault(const VirtualTable& table, const CatalogColumn& original,
                          const std::string& shadow, const std::string& type) {
  if (original.default_expr.empty()) return;
  std::string sql = "ALTER TABLE " + Qualified(table) + " ALTER COLUMN " + QuoteIdent(shadow) +
                    " SET DEFAULT " + original.default_expr;
  std::string description = "copy default of " + table.physical + "." + original.name;
  if (type != original.type) {
    sql = "DO $tandem$ BEGIN " + sql + "; EXCEPTION WHEN datatype_mismatch THEN NULL; END $tandem$";
    description += " if it fits type " + type;
    plan_.warnings.push_back("the default of " + table.name + "." + original.name + " (" +
                             original.default_expr + ") is kept under the new type " + type +
                             " only if it fits it; otherwise the column has no default in the "
                             "new version and after complete (as in pgroll)");
  }
  plan_.expand.push_back(TableStep(description, sql, table.physical, LockLevel::kAccessExclusive));
}

void Planner::AddNotNullCheck(const VirtualTable& table, const std::string& physical_column) {
  std::string check = "_tandem_nn_" + physical_column;
  if (check.size() > 63) check.resize(63);
  AddNotValidConstraint(table, check, "CHECK (" + QuoteIdent(physical_column) + " IS NOT NULL)",
                        LockLevel::kAccessExclusive, {table.physical});
  not_nulls_.push_back({table.physical, physical_column, check});
}

Status Planner::AddUniqueIndex(const Operation& op, const std::string& field,
                               const VirtualTable& table, const std::string& name,
                               const std::string& columns_sql, bool primary_key,
                               const std::string& constraint) {
  TANDEM_RETURN_IF_ERROR(RequireNewRelationName(op, field, name));
  Step build = TableStep("build unique index " + name + " concurrently",
                         "CREATE UNIQUE INDEX CONCURRENTLY " + QuoteIdent(name) + " ON " +
                             Qualified(table) + " " + columns_sql,
                         table.physical, LockLevel::kShareUpdateExclusive);
  build.concurrent = true;
  build.index_to_clean = name;
  plan_.expand.push_back(build);
  Step drop = TableStep("drop index " + name + " built by this migration",
                        "DROP INDEX CONCURRENTLY IF EXISTS " + QualifiedName(options_.schema, name),
                        table.physical, LockLevel::kShareUpdateExclusive);
  drop.concurrent = true;
  AddRollbackStep(drop);
  index_constraints_.push_back(
      {table.physical, name, constraint.empty() ? name : constraint, primary_key});
  return Status::Ok();
}

void Planner::AddNotValidConstraint(const VirtualTable& table, const std::string& name,
                                    const std::string& definition, LockLevel lock,
                                    std::vector<std::string> tables) {
  Step add = TableStep("add constraint " + name + " (NOT VALID)",
                       "ALTER TABLE " + Qualified(table) + " ADD CONSTRAINT " + QuoteIdent(name) +
                           " " + definition + " NOT VALID",
                       table.physical, lock);
  add.tables = std::move(tables);
  constraint_steps_.push_back(add);
  validate_steps_.push_back(
      TableStep("validate constraint " + name,
                "ALTER TABLE " + Qualified(table) + " VALIDATE CONSTRAINT " + QuoteIdent(name),
                table.physical, LockLevel::kShareUpdateExclusive));
}

Status Planner::AddForeignKey(const Operation& op, const VirtualTable& table,
                              const std::string& physical_column, const std::string& column_name,
                              const ForeignKeyRef& ref) {
  Status error;
  std::string references = ForeignKeyClause(ref, op, error);
  TANDEM_RETURN_IF_ERROR(error);
  std::string name = ref.name;
  if (name.empty()) name = (table.name + "_" + column_name + "_fkey").substr(0, 63);
  // A foreign key locks the referenced table too (SHARE ROW EXCLUSIVE).
  AddNotValidConstraint(table, name,
                        "FOREIGN KEY (" + QuoteIdent(physical_column) + ") " + references,
                        LockLevel::kShareRowExclusive, {table.physical, ref.table});
  return Status::Ok();
}

std::string Planner::ForeignKeyClause(const ForeignKeyRef& ref, const Operation& op,
                                      Status& error) {
  VirtualTable* target = virtual_schema_.FindTable(ref.table);
  if (target == nullptr) {
    error =
        ErrorAt(op, "references.table", "referenced table \"" + ref.table + "\" does not exist");
    return "";
  }
  std::vector<std::string> columns;
  for (const auto& c : ref.columns) {
    auto physical = target->PhysicalOf(c);
    if (!physical) {
      error =
          ErrorAt(op, "references.column",
                  "referenced column \"" + c + "\" does not exist in table \"" + ref.table + "\"");
      return "";
    }
    columns.push_back(QuoteIdent(*physical));
  }
  std::string sql = "REFERENCES " + Qualified(*target);
  if (!columns.empty()) sql += " (" + Join(columns, ", ") + ")";
  if (!ref.match_type.empty()) sql += " MATCH " + ref.match_type;
  if (!ref.on_delete.empty()) sql += " ON DELETE " + ref.on_delete;
  if (!ref.on_delete_set_columns.empty()) {
    std::vector<std::string> set_columns;
    for (const auto& c : ref.on_delete_set_columns) set_columns.push_back(QuoteIdent(c));
    sql += " (" + Join(set_columns, ", ") + ")";
  }
  if (!ref.on_update.empty()) sql += " ON UPDATE " + ref.on_update;
  return sql;
}

}  // namespace tandem::plan
