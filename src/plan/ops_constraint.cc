// create_constraint, drop_constraint, drop_multicolumn_constraint,
// rename_constraint.
#include "common/strings.h"
#include "plan/planner_internal.h"
#include "plan/sql_clauses.h"

namespace tandem::plan {
namespace {

std::string UpFor(const std::map<std::string, std::string>& expressions,
                  const std::string& column) {
  auto it = expressions.find(column);
  return it == expressions.end() ? "" : it->second;
}

// The new version's name of the physical column `physical`.
std::string VirtualNameOf(const VirtualTable& table, const std::string& physical) {
  for (const auto& c : table.columns) {
    if (c.physical == physical) return c.name;
  }
  return physical;
}

}  // namespace

Status Planner::CreateConstraintOp(const Operation& op, const CreateConstraint& body) {
  const ConstraintDef& constraint = body.constraint;
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  const CatalogTable* original = catalog_.FindTable(table->physical);
  if (original && original->FindConstraint(constraint.name)) {
    return ErrorAt(op, "name",
                   "constraint \"" + constraint.name + "\" already exists on table \"" +
                       table->name + "\"; choose another name");
  }
  std::string qualified = Qualified(*table);
  if (constraint.type == "primary_key") {
    if (!table->key_columns.empty()) {
      return ErrorAt(op, "type",
                     "table \"" + table->name + "\" already has a primary key; drop it first");
    }
    // No data changes: build the unique index concurrently, prove NOT NULL
    // with validated checks, then attach both in the contract switch.
    std::vector<std::string> columns;
    for (size_t i = 0; i < constraint.columns.size(); ++i) {
      TANDEM_ASSIGN_OR_RETURN(
          VirtualColumn * column,
          RequireColumn(op, "columns[" + std::to_string(i) + "]", *table, constraint.columns[i]));
      columns.push_back(QuoteIdent(column->physical));
      if (column->nullable) {
        AddNotNullCheck(*table, column->physical);
        Step drop_check = TableStep("drop NOT NULL check on " + column->physical,
                                    "ALTER TABLE " + qualified + " DROP CONSTRAINT IF EXISTS " +
                                        QuoteIdent(not_nulls_.back().check_name),
                                    table->physical, LockLevel::kAccessExclusive);
        AddRollbackStep(drop_check);
      }
    }
    TANDEM_RETURN_IF_ERROR(
        AddUniqueIndex(op, "name", *table, constraint.name, "(" + Join(columns, ", ") + ")", true));
    return Status::Ok();
  }
  // unique, check, foreign_key: shadow the covered columns so existing rows
  // can be fixed by `up` while the old version keeps writing the originals.
  std::vector<std::string> shadows;
  for (size_t i = 0; i < constraint.columns.size(); ++i) {
    const std::string& name = constraint.columns[i];
    TANDEM_ASSIGN_OR_RETURN(VirtualColumn * column,
                            RequireColumn(op, "columns[" + std::to_string(i) + "]", *table, name));
    bool was_nullable = column->nullable;
    TANDEM_ASSIGN_OR_RETURN(std::string shadow,
                            DuplicateColumn(op, *table, *column, column->type, UpFor(body.up, name),
                                            UpFor(body.down, name)));
    if (!was_nullable) AddNotNullCheck(*table, shadow);
    shadows.push_back(QuoteIdent(shadow));
  }
  if (constraint.type == "unique") {
    return AddUniqueIndex(op, "name", *table, constraint.name,
                          "(" + Join(shadows, ", ") + ")" +
                              (constraint.nulls_not_distinct ? " NULLS NOT DISTINCT" : "") +
                              IndexParametersSql(constraint.index_parameters),
                          false);
  }
  std::string definition;
  LockLevel lock = LockLevel::kAccessExclusive;
  std::vector<std::string> tables = {table->physical};
  if (constraint.type == "check") {
    TANDEM_ASSIGN_OR_RETURN(std::string check,
                            PhysicalExpression(op, "check", *table, constraint.check));
    definition = "CHECK (" + check + ")" + (constraint.no_inherit ? " NO INHERIT" : "");
  } else {
    Status error;
    std::string references = ForeignKeyClause(*constraint.references, op, error);
    TANDEM_RETURN_IF_ERROR(error);
    definition = "FOREIGN KEY (" + Join(shadows, ", ") + ") " + references +
                 DeferrableSql(constraint.deferrable, constraint.initially_deferred);
    lock = LockLevel::kShareRowExclusive;
    tables.push_back(constraint.references->table);
  }
  AddNotValidConstraint(*table, constraint.name, definition, lock, tables);
  return Status::Ok();
}

Status Planner::DropConstraintOp(const Operation& op, const DropConstraint& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  std::string column = body.column;
  if (!column.empty()) {
    TANDEM_RETURN_IF_ERROR(RequireColumn(op, "column", *table, column).status());
  } else {
    // pgroll's current form leaves `column` out: the constraint names it.
    const CatalogTable* original = catalog_.FindTable(table->physical);
    const CatalogConstraint* constraint = original ? original->FindConstraint(body.name) : nullptr;
    if (constraint != nullptr && constraint->columns.size() != 1) {
      return ErrorAt(op, "name",
                     "constraint \"" + body.name + "\" covers " +
                         std::to_string(constraint->columns.size()) + " columns (" +
                         Join(constraint->columns, ", ") +
                         "); drop it with drop_multicolumn_constraint, which takes `up` and "
                         "`down` for each column");
    }
    if (constraint != nullptr) column = VirtualNameOf(*table, constraint->columns[0]);
  }
  DropMultiColumnConstraint multi;
  multi.table = body.table;
  multi.name = body.name;
  if (!body.up.empty()) multi.up[column] = body.up;
  if (!body.down.empty()) multi.down[column] = body.down;
  return DropMultiColumnConstraintOp(op, multi);
}

Status Planner::DropMultiColumnConstraintOp(const Operation& op,
                                            const DropMultiColumnConstraint& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  const CatalogTable* original = catalog_.FindTable(table->physical);
  const CatalogConstraint* constraint = original ? original->FindConstraint(body.name) : nullptr;
  if (constraint == nullptr) {
    return ErrorAt(
        op, "name",
        "constraint \"" + body.name + "\" does not exist on table \"" + body.table + "\"");
  }
  if (constraint->type == 'p') {
    return ErrorAt(op, "name",
                   "\"" + body.name +
                       "\" is the primary key; tandem needs a key to move data "
                       "and cannot drop it online");
  }
  // The shadows carry everything but the dropped constraint; `complete`
  // drops the originals, and the constraint with them.
  for (const auto& column_name : constraint->columns) {
    VirtualColumn* column = nullptr;
    for (auto& c : table->columns) {
      if (c.physical == column_name) column = &c;
    }
    if (column == nullptr) continue;
    bool was_nullable = column->nullable;
    std::string name = column->name;
    TANDEM_ASSIGN_OR_RETURN(std::string shadow,
                            DuplicateColumn(op, *table, *column, column->type, UpFor(body.up, name),
                                            UpFor(body.down, name), body.name));
    if (!was_nullable) AddNotNullCheck(*table, shadow);
  }
  return Status::Ok();
}

Status Planner::RenameConstraintOp(const Operation& op, const RenameConstraint& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  const CatalogTable* original = catalog_.FindTable(table->physical);
  if (original == nullptr || original->FindConstraint(body.from) == nullptr) {
    return ErrorAt(
        op, "from",
        "constraint \"" + body.from + "\" does not exist on table \"" + body.table + "\"");
  }
  if (original->FindConstraint(body.to) != nullptr) {
    return ErrorAt(op, "to",
                   "constraint \"" + body.to + "\" already exists on table \"" + body.table + "\"");
  }
  std::string physical_table = table->physical;
  std::string from = body.from;
  std::string to = body.to;
  switch_sql_.push_back([this, physical_table, from, to] {
    return "ALTER TABLE " + FinalQualified(physical_table) + " RENAME CONSTRAINT " +
           QuoteIdent(from) + " TO " + QuoteIdent(to);
  });
  return Status::Ok();
}

}  // namespace tandem::plan
