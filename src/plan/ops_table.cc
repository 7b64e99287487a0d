// create_table, rename_table, drop_table.
#include "common/strings.h"
#include "plan/planner_internal.h"
#include "plan/sql_clauses.h"

namespace tandem::plan {

Status Planner::CreateTableOp(const Operation& op, const CreateTable& body) {
  TANDEM_RETURN_IF_ERROR(RequireNewRelationName(op, "name", body.name));
  VirtualTable table;
  table.name = body.name;
  table.physical = body.name;
  table.created = true;
  std::vector<std::string> pk_columns;
  for (const auto& c : body.columns) {
    if (c.pk) pk_columns.push_back(c.name);
  }
  Step step;
  step.description = "create table " + body.name;
  step.lock = LockLevel::kNone;
  step.tables = {};
  std::vector<std::string> definitions;
  for (const auto& column : body.columns) {
    std::string references;
    if (column.references) {
      Status error;
      references = ForeignKeyClause(*column.references, op, error);
      TANDEM_RETURN_IF_ERROR(error);
      step.lock = LockLevel::kShareRowExclusive;
      step.tables.push_back(column.references->table);
    }
    bool inline_pk = column.pk && pk_columns.size() == 1;
    definitions.push_back(ColumnDefinitionSql(column, references, inline_pk));
    table.columns.push_back({column.name, column.name, column.type, column.nullable && !column.pk});
  }
  if (pk_columns.size() > 1) {
    std::vector<std::string> quoted;
    for (const auto& c : pk_columns) quoted.push_back(QuoteIdent(c));
    definitions.push_back("PRIMARY KEY (" + Join(quoted, ", ") + ")");
  }
  for (const auto& constraint : body.constraints) {
    std::vector<std::string> columns;
    for (const auto& c : constraint.columns) columns.push_back(QuoteIdent(c));
    std::string references;
    if (constraint.references) {
      Status error;
      references = ForeignKeyClause(*constraint.references, op, error);
      TANDEM_RETURN_IF_ERROR(error);
      step.lock = LockLevel::kShareRowExclusive;
      step.tables.push_back(constraint.references->table);
    }
    if (constraint.type == "primary_key") pk_columns = constraint.columns;
    definitions.push_back(TableConstraintSql(constraint, columns, constraint.check, references));
  }
  table.key_columns = pk_columns;
  std::string qualified = Qualified(body.name);
  step.statements.push_back("CREATE TABLE " + qualified + " (\n  " + Join(definitions, ",\n  ") +
                            "\n)");
  if (body.comment.IsSet()) {
    step.statements.push_back("COMMENT ON TABLE " + qualified + " IS " +
                              QuoteLiteral(body.comment.value));
  }
  for (const auto& column : body.columns) {
    if (!column.comment.IsSet()) continue;
    step.statements.push_back("COMMENT ON COLUMN " + qualified + "." + QuoteIdent(column.name) +
                              " IS " + QuoteLiteral(column.comment.value));
  }
  plan_.expand.push_back(step);
  Step drop;
  drop.description = "drop table " + body.name + " created by this migration";
  drop.statements.push_back("DROP TABLE IF EXISTS " + qualified);
  drop.tables = {body.name};
  drop.lock = LockLevel::kAccessExclusive;
  AddRollbackStep(drop);
  created_tables_.insert(body.name);
  for (const auto& c : body.columns) added_columns_[body.name][c.name] = LastExpandStep();
  virtual_schema_.AddTable(std::move(table));
  return Status::Ok();
}

Status Planner::RenameTableOp(const Operation& op, const RenameTable& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "from", body.from));
  (void)table;
  TANDEM_RETURN_IF_ERROR(RequireNewRelationName(op, "to", body.to));
  virtual_schema_.RenameTable(body.from, body.to);
  return Status::Ok();
}

Status Planner::DropTableOp(const Operation& op, const DropTable& body) {
  TANDEM_RETURN_IF_ERROR(RequireTable(op, "name", body.name).status());
  // A table this migration created goes too: start creates it (the old
  // version may already write to it) and complete drops it.
  virtual_schema_.DropTable(body.name);
  return Status::Ok();
}

}  // namespace tandem::plan
