// add_column, alter_column, drop_column, rename_column.
#include "common/strings.h"
#include "lint/pg_parse.h"
#include "plan/planner_internal.h"
#include "plan/planner_messages.h"
#include "plan/serial_type.h"
#include "plan/sql_clauses.h"

namespace tandem::plan {
namespace {

std::string DefaultName(const std::string& table, const std::string& column,
                        const std::string& suffix) {
  std::string name = table + "_" + column + "_" + suffix;
  if (name.size() > 63) name.resize(63);
  return name;
}

// A default change alone is seen through the view, except when `up` or
// `down` say how values move (pgroll then copies the column), or when the
// default is dropped: a view cannot hide its table's default (a NULL view
// default is no default), so the new version gets a copy without one.
bool NeedsShadowForDefault(const AlterColumn& body, const CatalogColumn* original) {
  if (!body.default_value.present) return false;
  if (!body.up.empty() || !body.down.empty()) return true;
  return body.default_value.is_null && original != nullptr && !original->default_expr.empty();
}

}  // namespace

Status Planner::AddColumnOp(const Operation& op, const AddColumn& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  const ColumnDef& column = body.column;
  TANDEM_RETURN_IF_ERROR(RequireNewColumnName(op, "column.name", *table, column.name));
  if (table->created) {
    // The table is new and empty: no shadow column, no backfill.
    std::string references;
    if (column.references) {
      Status error;
      references = ForeignKeyClause(*column.references, op, error);
      TANDEM_RETURN_IF_ERROR(error);
    }
    plan_.expand.push_back(TableStep("add column " + column.name + " to new table " + table->name,
                                     "ALTER TABLE " + Qualified(*table) + " ADD COLUMN " +
                                         ColumnDefinitionSql(column, references, column.pk),
                                     table->physical, LockLevel::kAccessExclusive));
    added_columns_[table->physical][column.name] = LastExpandStep();
    table->columns.push_back({column.name, column.name, column.type, column.nullable});
    return Status::Ok();
  }
  if (column.generated) {
    return ErrorAt(op, "column.generated",
                   "adding a generated or identity column rewrites the whole table under an "
                   "ACCESS EXCLUSIVE lock; add a plain column and fill it with `up` instead");
  }
  if (column.pk) {
    return ErrorAt(op, "column.pk",
                   "add_column cannot add a primary key column to an existing table; add the "
                   "column, then use create_constraint with type primary_key");
  }
  std::string up = body.up;
  std::string serial_type = SerialIntegerType(column.type);
  bool fast_default = false;
  if (column.default_value.IsSet()) {
    auto non_volatile = lint::IsNonVolatileExpression(column.default_value.value);
    if (!non_volatile.ok()) return ErrorAt(op, "column.default", non_volatile.status().message());
    fast_default = *non_volatile;
    // A volatile default would rewrite the table: add the column without it
    // and let the backfill compute it for existing rows.
    if (!fast_default && up.empty()) up = column.default_value.value;
  }
  if (!column.nullable && !column.default_value.IsSet() && serial_type.empty() && up.empty()) {
    return ErrorAt(op, "column.nullable",
                   "column \"" + column.name +
                       "\" is NOT NULL but has no default and no `up`: existing rows would have "
                       "no value. Give it a `default` or an `up` expression");
  }
  TANDEM_ASSIGN_OR_RETURN(
      std::string physical,
      AddShadowColumn(op, *table, column.name, serial_type.empty() ? column.type : serial_type));
  if (!serial_type.empty()) {
    TANDEM_RETURN_IF_ERROR(
        AddSerialSequence(op, *table, column.name, physical, serial_type, up.empty()));
  }
  std::string qualified = Qualified(*table);
  if (column.default_value.IsSet()) {
    // A non-volatile default belongs in ADD COLUMN itself: PostgreSQL keeps
    // it in the catalog and existing rows read it without a rewrite.
    if (fast_default) {
      plan_.expand.back().statements.back() += " DEFAULT " + column.default_value.value;
    } else {
      plan_.expand.push_back(
          TableStep("set default of " + table->physical + "." + physical + " for new rows",
                    "ALTER TABLE " + qualified + " ALTER COLUMN " + QuoteIdent(physical) +
                        " SET DEFAULT " + column.default_value.value,
                    table->physical, LockLevel::kAccessExclusive));
    }
  }
  table->columns.push_back(
      {column.name, physical, serial_type.empty() ? column.type : serial_type, column.nullable});
  if (!column.nullable) AddNotNullCheck(*table, physical);
  if (column.unique) {
    TANDEM_RETURN_IF_ERROR(AddUniqueIndex(op, "column.unique", *table,
                                          DefaultName(table->name, column.name, "key"),
                                          "(" + QuoteIdent(physical) + ")", false));
  }
  if (column.check) {
    TANDEM_ASSIGN_OR_RETURN(std::string check, PhysicalExpression(op, "column.check", *table,
                                                                  column.check->constraint));
    std::string name = column.check->name.empty() ? DefaultName(table->name, column.name, "check")
                                                  : column.check->name;
    AddNotValidConstraint(*table, name,
                          "CHECK (" + check + ")" + (column.check->no_inherit ? " NO INHERIT" : ""),
                          LockLevel::kAccessExclusive, {table->physical});
  }
  if (column.references) {
    TANDEM_RETURN_IF_ERROR(AddForeignKey(op, *table, physical, column.name, *column.references));
  }
  if (column.comment.IsSet()) {
    plan_.expand.push_back(TableStep("comment on " + physical,
                                     "COMMENT ON COLUMN " + qualified + "." + QuoteIdent(physical) +
                                         " IS " + QuoteLiteral(column.comment.value),
                                     table->physical, LockLevel::kShareUpdateExclusive));
  }
  if (!up.empty()) {
    TANDEM_ASSIGN_OR_RETURN(std::string up_sql, UpExpression(op, "up", *table, up));
    TableSync& sync = SyncFor(*table);
    sync.up.push_back({physical, up_sql});
    sync.backfill = true;
  }
  return Status::Ok();
}

Status Planner::AddSerialSequence(const Operation& op, const VirtualTable& table,
                                  const std::string& column, const std::string& physical,
                                  const std::string& integer_type, bool fill_existing_rows) {
  std::string sequence = DefaultName(table.name, column, "seq");
  TANDEM_RETURN_IF_ERROR(RequireNewRelationName(op, "column.type", sequence));
  std::string qualified_sequence = QualifiedName(options_.schema, sequence);
  // Owned by the shadow column: rollback's DROP COLUMN drops it too, and it
  // follows the column to its final name at complete.
  plan_.expand.push_back(TableStep("create sequence " + sequence + " for " + physical,
                                   "CREATE SEQUENCE " + qualified_sequence + " AS " + integer_type +
                                       " OWNED BY " + Qualified(table) + "." + QuoteIdent(physical),
                                   table.physical, LockLevel::kAccessShare));
  std::string next_value = "nextval(" + QuoteLiteral(qualified_sequence) + "::regclass)";
  // A volatile default in ADD COLUMN would rewrite the table: it is set
  // afterwards, and the backfill numbers the existing rows.
  plan_.expand.push_back(TableStep("set default of " + table.physical + "." + physical,
                                   "ALTER TABLE " + Qualified(table) + " ALTER COLUMN " +
                                       QuoteIdent(physical) + " SET DEFAULT " + next_value,
                                   table.physical, LockLevel::kAccessExclusive));
  if (fill_existing_rows) {
    // Not planned against the live schema: the sequence exists only once
    // expand has run.
    TableSync& sync = SyncFor(table);
    sync.up.push_back({physical, next_value});
    sync.backfill = true;
  }
  return Status::Ok();
}

Status Planner::AlterColumnOp(const Operation& op, const AlterColumn& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  TANDEM_ASSIGN_OR_RETURN(VirtualColumn * column, RequireColumn(op, "column", *table, body.column));
  if (body.name && *body.name != column->name) {
    TANDEM_RETURN_IF_ERROR(RequireNewColumnName(op, "name", *table, *body.name));
  }
  const CatalogTable* original = catalog_.FindTable(table->physical);
  const CatalogColumn* original_column =
      original ? original->FindColumn(column->physical) : nullptr;
  bool shadow = body.type || body.nullable || body.check || body.unique || body.references ||
                NeedsShadowForDefault(body, original_column);
  std::string qualified = Qualified(*table);
  if (!shadow) {
    // Rename, default and comment changes need no data movement: the new
    // version sees them through its view, `complete` makes them physical.
    std::string physical_table = table->physical;
    std::string physical_column = column->physical;
    if (body.default_value.present) {
      pending_defaults_.push_back({physical_table, physical_column, body.default_value});
      NullableString value = body.default_value;
      switch_sql_.push_back([this, physical_table, physical_column, value] {
        return "ALTER TABLE " + FinalQualified(physical_table) + " ALTER COLUMN " +
               QuoteIdent(FinalColumnName(physical_table, physical_column)) +
               (value.is_null ? " DROP DEFAULT" : " SET DEFAULT " + value.value);
      });
    }
    if (body.comment.present) {
      NullableString value = body.comment;
      switch_sql_.push_back([this, physical_table, physical_column, value] {
        return "COMMENT ON COLUMN " + FinalQualified(physical_table) + "." +
               QuoteIdent(FinalColumnName(physical_table, physical_column)) + " IS " +
               (value.is_null ? "NULL" : QuoteLiteral(value.value));
      });
    }
    if (body.name) column->name = *body.name;
    return Status::Ok();
  }
  std::string type = body.type ? *body.type : column->type;
  TANDEM_ASSIGN_OR_RETURN(std::string physical,
                          DuplicateColumn(op, *table, *column, type, body.up, body.down, "",
                                          !body.default_value.present));
  if (body.default_value.present) {
    plan_.expand.push_back(
        TableStep("set default of " + physical,
                  "ALTER TABLE " + qualified + " ALTER COLUMN " + QuoteIdent(physical) +
                      (body.default_value.is_null ? " DROP DEFAULT"
                                                  : " SET DEFAULT " + body.default_value.value),
                  table->physical, LockLevel::kAccessExclusive));
  }
  bool nullable = body.nullable ? *body.nullable : (original_column && !original_column->not_null);
  column->nullable = nullable;
  if (!nullable) AddNotNullCheck(*table, physical);
  if (body.check) {
    TANDEM_ASSIGN_OR_RETURN(std::string check,
                            PhysicalExpression(op, "check", *table, body.check->constraint));
    AddNotValidConstraint(*table, body.check->name,
                          "CHECK (" + check + ")" + (body.check->no_inherit ? " NO INHERIT" : ""),
                          LockLevel::kAccessExclusive, {table->physical});
  }
  if (body.unique) {
    std::string index = body.unique->name.empty() ? DefaultName(table->name, column->name, "key")
                                                  : body.unique->name;
    TANDEM_RETURN_IF_ERROR(
        AddUniqueIndex(op, "unique.name", *table, index, "(" + QuoteIdent(physical) + ")", false));
  }
  if (body.references) {
    TANDEM_RETURN_IF_ERROR(AddForeignKey(op, *table, physical, column->name, *body.references));
  }
  if (body.comment.present) {
    plan_.expand.push_back(
        TableStep("comment on " + physical,
                  "COMMENT ON COLUMN " + qualified + "." + QuoteIdent(physical) + " IS " +
                      (body.comment.is_null ? "NULL" : QuoteLiteral(body.comment.value)),
                  table->physical, LockLevel::kShareUpdateExclusive));
  }
  if (body.name) column->name = *body.name;
  return Status::Ok();
}

Status Planner::DropColumnOp(const Operation& op, const DropColumn& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  TANDEM_ASSIGN_OR_RETURN(VirtualColumn * column, RequireColumn(op, "column", *table, body.column));
  if (std::string problem = KeyColumnDropProblem(*table, *column); !problem.empty()) {
    return ErrorAt(op, "column", problem);
  }
  std::string physical = column->physical;
  std::string name = column->name;
  std::erase_if(table->columns, [&](const VirtualColumn& c) { return c.name == name; });
  if (!body.down.empty()) {
    TANDEM_ASSIGN_OR_RETURN(std::string down, DownExpression(op, "down", *table, body.down));
    SyncFor(*table).down.push_back({physical, down});
  }
  return Status::Ok();
}

Status Planner::RenameColumnOp(const Operation& op, const RenameColumn& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  TANDEM_ASSIGN_OR_RETURN(VirtualColumn * column, RequireColumn(op, "from", *table, body.from));
  TANDEM_RETURN_IF_ERROR(RequireNewColumnName(op, "to", *table, body.to));
  column->name = body.to;
  return Status::Ok();
}

}  // namespace tandem::plan
