// The operations on SQLite, one function each; what SQLite cannot express
// is refused here, before anything changes.
#include "common/strings.h"
#include "lint/pg_parse.h"
#include "plan/planner_messages.h"
#include "plan/serial_type.h"
#include "plan/sql_clauses.h"
#include "plan/sqlite/sqlite_planner_internal.h"

namespace tandem::plan::sqlite {
namespace {

Step OneStep(std::string description, std::string sql, const std::string& table, LockLevel lock) {
  Step step;
  step.description = std::move(description);
  step.statements.push_back(std::move(sql));
  if (!table.empty()) step.tables = {table};
  step.lock = lock;
  return step;
}

}  // namespace

Status SqlitePlanner::CreateTableOp(const Operation& op, const CreateTable& body) {
  TANDEM_RETURN_IF_ERROR(RequireNewName(op, "name", body.name));
  VirtualTable table;
  table.name = body.name;
  table.physical = body.name;
  table.created = true;
  std::vector<std::string> pk;
  for (const auto& c : body.columns) {
    if (c.pk) pk.push_back(c.name);
  }
  if (body.columns.empty()) {
    return Unsupported(op, "SQLite cannot create a table without columns; give it at least one");
  }
  std::vector<std::string> definitions;
  for (const auto& column : body.columns) {
    if (column.generated) {
      return Unsupported(op, "column \"" + column.name +
                                 "\": generated and identity columns are not supported on "
                                 "SQLite (use INTEGER PRIMARY KEY for an automatic key)");
    }
    std::string references;
    if (column.references) {
      Status error;
      references = ReferencesClause(op, *column.references, error);
      TANDEM_RETURN_IF_ERROR(error);
    }
    definitions.push_back(ColumnDefinitionSql(column, references, column.pk && pk.size() == 1));
    table.columns.push_back({column.name, column.name, column.type, column.nullable && !column.pk});
  }
  if (pk.size() > 1) {
    std::vector<std::string> quoted;
    for (const auto& c : pk) quoted.push_back(QuoteIdent(c));
    definitions.push_back("PRIMARY KEY (" + Join(quoted, ", ") + ")");
  }
  for (const auto& constraint : body.constraints) {
    if (constraint.type == "exclude") {
      return Unsupported(op, "EXCLUDE constraints do not exist in SQLite");
    }
    std::vector<std::string> columns;
    for (const auto& c : constraint.columns) columns.push_back(QuoteIdent(c));
    std::string references;
    if (constraint.references) {
      Status error;
      references = ReferencesClause(op, *constraint.references, error);
      TANDEM_RETURN_IF_ERROR(error);
    }
    if (constraint.type == "primary_key") pk = constraint.columns;
    definitions.push_back(TableConstraintSql(constraint, columns, constraint.check, references));
  }
  table.key_columns = pk;
  plan_.expand.push_back(OneStep(
      "create table " + body.name,
      "CREATE TABLE " + QuoteIdent(body.name) + " (\n  " + Join(definitions, ",\n  ") + "\n)", "",
      LockLevel::kNone));
  created_tables_.insert(body.name);
  virtual_schema_.AddTable(std::move(table));
  return Status::Ok();
}

Status SqlitePlanner::AddColumnOp(const Operation& op, const AddColumn& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  const ColumnDef& column = body.column;
  TANDEM_RETURN_IF_ERROR(RequireNewColumnName(op, "column.name", *table, column.name));
  if (column.generated || column.pk) {
    return Unsupported(op, "add_column cannot add a generated or primary key column on SQLite");
  }
  if (!SerialIntegerType(column.type).empty()) {
    return Unsupported(op, "type " + column.type +
                               " needs a sequence, which SQLite does not have; add an INTEGER "
                               "column and fill it with `up` (e.g. `up: rowid`)");
  }
  if (table->created) {
    return ErrorAt(op, "table",
                   "table \"" + table->name +
                       "\" is created by this migration; define the column in create_table");
  }
  std::string up = body.up;
  bool constant = column.default_value.IsSet() && IsConstantDefault(column.default_value.value);
  if (column.default_value.IsSet() && !constant && up.empty()) up = column.default_value.value;
  if (!column.nullable && !column.default_value.IsSet() && up.empty()) {
    return ErrorAt(op, "column.nullable",
                   "column \"" + column.name +
                       "\" is NOT NULL but has no default and no `up`: existing rows would have "
                       "no value. Give it a `default` or an `up` expression");
  }
  if (!up.empty() && table->key_columns.empty()) {
    return ErrorAt(op, "table",
                   "table \"" + table->name +
                       "\" has no primary key; tandem needs one to write through the new "
                       "version's view. Add a primary key first");
  }
  // `up` needs the dual-write, whose marker column goes in a rebuild too.
  // A column the new version sees in the table itself has its final shape.
  bool in_place = UsesTableItself(table->physical);
  bool needs_rebuild = !up.empty() || (!in_place && (!column.nullable || column.unique ||
                                                     column.check || column.references ||
                                                     (column.default_value.IsSet() && !constant)));
  if (needs_rebuild) TANDEM_RETURN_IF_ERROR(RequireRebuildable(op, *table));
  TANDEM_ASSIGN_OR_RETURN(
      std::string physical,
      AddPhysicalColumn(op, *table, column.name,
                        in_place ? column.name : NewColumnName(column.name), column.type,
                        column.default_value, "", in_place && !column.nullable));
  ColumnShape& shape = ShapeOf(table->physical, physical);
  shape.not_null = !column.nullable;
  shape.unique = column.unique;
  if (column.check) shape.check = column.check->constraint;
  if (column.references) {
    Status error;
    shape.references = ReferencesClause(op, *column.references, error);
    TANDEM_RETURN_IF_ERROR(error);
  }
  if (needs_rebuild) rebuild_.insert(table->physical);
  table->columns.push_back({column.name, physical, column.type, column.nullable});
  if (!up.empty()) {
    TANDEM_ASSIGN_OR_RETURN(std::string up_sql, UpExpression(op, "up", *table, up));
    TableSync& sync = SyncFor(*table);
    sync.up.push_back({physical, up_sql});
    sync.backfill = true;
  }
  if (column.comment.IsSet())
    plan_.warnings.push_back("SQLite has no column comments; the comment on " + column.name +
                             " is ignored");
  return Status::Ok();
}

Status SqlitePlanner::AlterColumnOp(const Operation& op, const AlterColumn& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  TANDEM_ASSIGN_OR_RETURN(VirtualColumn * column, RequireColumn(op, "column", *table, body.column));
  if (body.name && *body.name != column->name) {
    TANDEM_RETURN_IF_ERROR(RequireNewColumnName(op, "name", *table, *body.name));
  }
  if (body.comment.present) {
    plan_.warnings.push_back("SQLite has no column comments; the comment on " + body.column +
                             " is ignored");
  }
  bool shadow = body.type || body.nullable || body.check || body.unique || body.references;
  if (!shadow) {
    // A rename needs no data movement; a new default only the rebuild.
    if (body.default_value.present) {
      TANDEM_RETURN_IF_ERROR(RequireRebuildable(op, *table));
      ColumnShape& shape = ShapeOf(table->physical, column->physical);
      shape.default_value = body.default_value;
      rebuild_.insert(table->physical);
    }
    if (body.name) column->name = *body.name;
    return Status::Ok();
  }
  std::string type = body.type ? *body.type : column->type;
  TANDEM_ASSIGN_OR_RETURN(
      ColumnShape * shape,
      ReplaceColumn(op, "column", *table, *column, type, body.default_value, body.up, body.down));
  if (body.nullable) {
    shape->not_null = !*body.nullable;
    column->nullable = *body.nullable;
  }
  if (body.check) shape->check = body.check->constraint;
  if (body.unique) shape->unique = true;
  if (body.references) {
    Status error;
    shape->references = ReferencesClause(op, *body.references, error);
    TANDEM_RETURN_IF_ERROR(error);
  }
  if (body.name) column->name = *body.name;
  return Status::Ok();
}

Status SqlitePlanner::DropColumnOp(const Operation& op, const DropColumn& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  TANDEM_ASSIGN_OR_RETURN(VirtualColumn * column, RequireColumn(op, "column", *table, body.column));
  if (std::string problem = KeyColumnDropProblem(*table, *column); !problem.empty()) {
    return ErrorAt(op, "column", problem);
  }
  if (!table->created) {
    TANDEM_RETURN_IF_ERROR(RequireRebuildable(op, *table));
    rebuild_.insert(table->physical);
  }
  std::string physical = column->physical;
  std::string name = column->name;
  std::erase_if(table->columns, [&](const VirtualColumn& c) { return c.name == name; });
  if (!body.down.empty()) {
    if (table->key_columns.empty()) {
      return ErrorAt(op, "table",
                     "table \"" + table->name + "\" has no primary key; add one first");
    }
    TANDEM_ASSIGN_OR_RETURN(std::string down, DownExpression(op, "down", *table, body.down));
    SyncFor(*table).down.push_back({physical, down});
  }
  return Status::Ok();
}

Status SqlitePlanner::RenameColumnOp(const Operation& op, const RenameColumn& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  TANDEM_ASSIGN_OR_RETURN(VirtualColumn * column, RequireColumn(op, "from", *table, body.from));
  TANDEM_RETURN_IF_ERROR(RequireNewColumnName(op, "to", *table, body.to));
  column->name = body.to;
  return Status::Ok();
}

Status SqlitePlanner::RenameTableOp(const Operation& op, const RenameTable& body) {
  TANDEM_RETURN_IF_ERROR(RequireTable(op, "from", body.from).status());
  TANDEM_RETURN_IF_ERROR(RequireNewName(op, "to", body.to));
  virtual_schema_.RenameTable(body.from, body.to);
  return Status::Ok();
}

Status SqlitePlanner::DropTableOp(const Operation& op, const DropTable& body) {
  // A table this migration created is dropped at complete too.
  TANDEM_RETURN_IF_ERROR(RequireTable(op, "name", body.name).status());
  virtual_schema_.DropTable(body.name);
  return Status::Ok();
}

Status SqlitePlanner::CreateIndexOp(const Operation& op, const CreateIndex& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  TANDEM_RETURN_IF_ERROR(RequireNewName(op, "name", body.name));
  if (!body.method.empty() && ToLower(body.method) != "btree") {
    return Unsupported(op, "SQLite has only B-tree indexes (method " + body.method + ")");
  }
  PlannedIndex index{table->physical, body.name, body.unique, ""};
  std::vector<std::string> columns;
  for (size_t i = 0; i < body.columns.size(); ++i) {
    const IndexColumn& c = body.columns[i];
    TANDEM_ASSIGN_OR_RETURN(
        VirtualColumn * column,
        RequireColumn(op, "columns[" + std::to_string(i) + "]", *table, c.name));
    std::string sql = QuoteIdent(column->physical);
    if (!c.collate.empty()) sql += " COLLATE " + c.collate;
    if (!c.sort.empty()) sql += " " + c.sort;
    columns.push_back(sql);
  }
  std::string where;
  if (!body.predicate.empty()) {
    auto resolve = [table](const std::string& name) -> std::optional<std::string> {
      auto physical = table->PhysicalOf(name);
      if (!physical) return std::nullopt;
      return QuoteIdent(*physical);
    };
    auto rewritten = lint::RewriteColumnRefs(body.predicate, resolve);
    if (!rewritten.ok()) return ErrorAt(op, "predicate", rewritten.status().message());
    where = " WHERE " + *rewritten;
  }
  BuildIndex(index, columns, where);
  return Status::Ok();
}

void SqlitePlanner::BuildIndex(PlannedIndex index, const std::vector<std::string>& columns,
                               const std::string& where) {
  const CatalogTable* original = catalog_.FindTable(index.table);
  long long rows = original ? original->estimated_rows : 0;
  index.sql = std::string("CREATE ") + (index.unique ? "UNIQUE " : "") + "INDEX " +
              QuoteIdent(index.name) + " ON " + QuoteIdent(index.table) + " (" +
              Join(columns, ", ") + ")" + where;
  plan_.expand.push_back(
      OneStep("build index " + index.name + " (SQLite has no concurrent build: blocks writers of " +
                  index.table + " while it reads ~" + std::to_string(rows) + " rows)",
              index.sql, index.table, LockLevel::kExclusive));
  created_indexes_.push_back(index);
}

Status SqlitePlanner::DropIndexOp(const Operation& op, const DropIndex& body) {
  bool exists = false;
  for (const auto& [name, table] : catalog_.tables) {
    for (const auto& index : table.indexes) exists = exists || index.name == body.name;
  }
  if (!exists) {
    return ErrorAt(op, "name", "index \"" + body.name + "\" does not exist in the database");
  }
  dropped_indexes_.insert(body.name);
  return Status::Ok();
}

Status SqlitePlanner::RawSqlOp(const Operation& op, const RawSql& body) {
  if (body.on_complete) {
    return Unsupported(op, "sql with on_complete is not supported on SQLite yet");
  }
  plan_.expand.push_back(OneStep("run the migration's SQL", body.up, "", LockLevel::kExclusive));
  if (!body.down.empty()) raw_down_.push_back(body.down);
  return Status::Ok();
}

}  // namespace tandem::plan::sqlite
