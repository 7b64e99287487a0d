// create_constraint, drop_constraint and drop_multicolumn_constraint on
// SQLite, whose ALTER TABLE can neither add nor drop a constraint.
//
// create_constraint replaces the covered columns by shadow columns, so that
// `up` can fix existing rows while the old version keeps writing the
// originals. A unique constraint is a unique index on the shadow columns,
// in force at once for both versions. A CHECK or FOREIGN KEY can only be
// part of a table's definition: until complete the new version's view
// triggers refuse a write that breaks it, and the rebuild at complete
// writes it into the table, where every existing row is checked.
//
// Dropping a constraint needs no shadow columns: the constraint stays in
// force for both versions until complete (the old version relies on it),
// and the rebuild at complete leaves it out; a unique index is dropped.
#include <algorithm>

#include "common/strings.h"
#include "plan/sql_clauses.h"
#include "plan/sqlite/sqlite_planner_internal.h"

namespace tandem::plan::sqlite {
namespace {

// What ConstraintsNamed returns for the primary key, which cannot be dropped.
constexpr char kPrimaryKey[] = "PRIMARY KEY";

std::vector<std::string> NewRow(const std::vector<std::string>& physical) {
  std::vector<std::string> columns;
  for (const auto& c : physical) columns.push_back("NEW." + QuoteIdent(c));
  return columns;
}

// Why SQLite would not accept `columns` of `parent` as a foreign key's
// target ("foreign key mismatch" on every write), or "".
std::string ParentKeyProblem(const CatalogTable* parent, const std::vector<std::string>& columns) {
  if (columns.empty()) {
    return "the referenced table has no primary key; name the referenced columns";
  }
  if (parent == nullptr || SameNames(parent->primary_key, columns)) return "";
  for (const auto& index : parent->indexes) {
    if (index.unique && SameNames(index.columns, columns)) return "";
  }
  return "SQLite needs the referenced columns to be the primary key of \"" + parent->name +
         "\" or to have a unique index; create one first";
}

}  // namespace

Status SqlitePlanner::CreateConstraintOp(const Operation& op, const CreateConstraint& body) {
  const ConstraintDef& constraint = body.constraint;
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  if (constraint.type == "primary_key") {
    return Unsupported(op,
                       "SQLite cannot give an existing table a primary key (the key is part of "
                       "how it stores rows); create a new table with the key instead");
  }
  if (constraint.type == "exclude") {
    return Unsupported(op, "EXCLUDE constraints do not exist in SQLite");
  }
  if (constraint.nulls_not_distinct) {
    return Unsupported(op,
                       "SQLite has no NULLS NOT DISTINCT (its unique indexes treat NULLs as "
                       "distinct)");
  }
  TANDEM_RETURN_IF_ERROR(RequireNewConstraintName(op, *table, constraint.name));
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> shadows,
                          ShadowColumns(op, *table, constraint.columns, body.up, body.down));
  if (constraint.type == "unique") {
    TANDEM_RETURN_IF_ERROR(RequireNewName(op, "name", constraint.name));
    UniqueIndexOn(*table, constraint.name, shadows);
    return Status::Ok();
  }
  PlannedConstraint planned;
  if (constraint.type == "check") {
    TANDEM_ASSIGN_OR_RETURN(std::string check,
                            DownExpression(op, "check", *table, constraint.check));
    ConstraintDef definition = constraint;
    definition.no_inherit = false;  // PostgreSQL's table inheritance; SQLite has none
    planned.definition = TableConstraintSql(definition, NewRow(shadows), check, "");
    planned.violation = "NOT (" + check + ")";
  } else {
    TANDEM_ASSIGN_OR_RETURN(planned, ForeignKeyConstraint(op, *table, constraint, shadows));
  }
  planned.table = table->physical;
  planned.name = constraint.name;
  planned.message = (constraint.type == "check" ? "CHECK" : "FOREIGN KEY") +
                    std::string(" constraint failed: ") + constraint.name;
  created_constraints_.push_back(planned);
  plan_.warnings.push_back(
      "constraint " + constraint.name + " of " + table->physical +
      ": until complete only writes through the new version are checked; existing rows and "
      "the old version's writes are checked by the table rebuild at complete, which a row that "
      "breaks it stops before anything changes");
  return Status::Ok();
}

Result<std::vector<std::string>> SqlitePlanner::ShadowColumns(
    const Operation& op, VirtualTable& table, const std::vector<std::string>& columns,
    const std::map<std::string, std::string>& up, const std::map<std::string, std::string>& down) {
  auto expression = [](const std::map<std::string, std::string>& map, const std::string& column) {
    auto it = map.find(column);
    return it == map.end() ? std::string() : it->second;
  };
  std::vector<std::string> shadows;
  for (size_t i = 0; i < columns.size(); ++i) {
    std::string field = "columns[" + std::to_string(i) + "]";
    TANDEM_ASSIGN_OR_RETURN(VirtualColumn * column, RequireColumn(op, field, table, columns[i]));
    TANDEM_RETURN_IF_ERROR(ReplaceColumn(op, field, table, *column, column->type, {},
                                         expression(up, columns[i]), expression(down, columns[i]))
                               .status());
    shadows.push_back(column->physical);
  }
  return shadows;
}

void SqlitePlanner::UniqueIndexOn(const VirtualTable& table, const std::string& name,
                                  const std::vector<std::string>& shadows) {
  std::vector<std::string> quoted;
  for (const auto& s : shadows) quoted.push_back(QuoteIdent(s));
  BuildIndex({table.physical, name, true, ""}, quoted, "");
  plan_.warnings.push_back("unique constraint " + name +
                           " is in force from start for both versions: a duplicate that `up` "
                           "makes stops the backfill, and the old version cannot write one "
                           "(SQLite's message names the shadow columns: " +
                           Join(shadows, ", ") + ")");
}

Result<PlannedConstraint> SqlitePlanner::ForeignKeyConstraint(
    const Operation& op, const VirtualTable& table, const ConstraintDef& constraint,
    const std::vector<std::string>& columns) {
  if (!constraint.references) {
    return ErrorAt(op, "references", "a foreign_key constraint needs `references`");
  }
  const ForeignKeyRef& ref = *constraint.references;
  Status error;
  std::string references = ReferencesClause(op, ref, error);
  TANDEM_RETURN_IF_ERROR(error);
  const VirtualTable* parent = virtual_schema_.FindTable(ref.table);
  std::vector<std::string> parent_columns;
  for (const auto& c : ref.columns) parent_columns.push_back(*parent->PhysicalOf(c));
  if (ref.columns.empty()) parent_columns = parent->key_columns;
  const CatalogTable* live_parent =
      parent->created ? nullptr : catalog_.FindTable(parent->physical);
  std::string problem = ParentKeyProblem(live_parent, parent_columns);
  if (problem.empty() && parent_columns.size() != columns.size()) {
    problem = "the constraint has " + std::to_string(columns.size()) + " columns but references " +
              std::to_string(parent_columns.size());
  }
  if (!problem.empty()) return ErrorAt(op, "references", problem);
  // What SQLite's own check does: a key with a NULL part references nothing.
  std::vector<std::string> set;
  std::vector<std::string> match;
  for (size_t i = 0; i < columns.size(); ++i) {
    set.push_back("NEW." + QuoteIdent(columns[i]) + " IS NOT NULL");
    match.push_back(QuoteIdent(parent_columns[i]) + " = NEW." + QuoteIdent(columns[i]));
  }
  PlannedConstraint planned;
  planned.definition = TableConstraintSql(constraint, NewRow(columns), "", references);
  planned.violation = Join(set, " AND ") + " AND NOT EXISTS (SELECT 1 FROM " +
                      QuoteIdent(parent->physical) + " WHERE " + Join(match, " AND ") + ")";
  return planned;
}

Status SqlitePlanner::RequireNewConstraintName(const Operation& op, const VirtualTable& table,
                                               const std::string& name) {
  const CatalogTable* original = catalog_.FindTable(table.physical);
  bool taken = original != nullptr && !ConstraintsNamed(*original, name).empty();
  for (const auto& c : created_constraints_) {
    taken = taken || (c.table == table.physical && SameName(c.name, name));
  }
  if (!taken) return Status::Ok();
  return ErrorAt(op, "name",
                 "constraint \"" + name + "\" already exists on table \"" + table.name +
                     "\"; choose another name");
}

std::vector<std::string> SqlitePlanner::ConstraintsNamed(const CatalogTable& table,
                                                         const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& c : table.constraints) {
    if (SameName(c.name, name)) names.push_back(c.name);
  }
  const TableSql* sql = TableSqlOf(table.name);
  if (sql == nullptr) return names;
  for (const auto& check : sql->checks) {
    if (SameName(check.name, name)) names.push_back(check.name);
  }
  // The catalog names a UNIQUE or FOREIGN KEY by position; the definition
  // by the name it was given.
  for (const auto& named : sql->named) {
    if (!SameName(named.name, name)) continue;
    if (named.type == 'p') names.push_back(kPrimaryKey);
    for (const auto& c : table.constraints) {
      if (c.type == named.type && SameNames(c.columns, named.columns)) names.push_back(c.name);
    }
  }
  return names;
}

Status SqlitePlanner::DropConstraintOp(const Operation& op, const DropConstraint& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  // pgroll's current form leaves `column` out; `up` and `down` are not used here.
  if (!body.column.empty()) {
    TANDEM_RETURN_IF_ERROR(RequireColumn(op, "column", *table, body.column).status());
  }
  DropMultiColumnConstraint multi;
  multi.table = body.table;
  multi.name = body.name;
  return DropMultiColumnConstraintOp(op, multi);
}

Status SqlitePlanner::DropMultiColumnConstraintOp(const Operation& op,
                                                  const DropMultiColumnConstraint& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  const CatalogTable* original = catalog_.FindTable(table->physical);
  if (table->created || original == nullptr) {
    return ErrorAt(op, "table",
                   "table \"" + table->name +
                       "\" is created by this migration; leave the constraint out of "
                       "create_table instead");
  }
  std::string later = "; it stays in force for both versions until complete";
  for (const auto& index : original->indexes) {
    if (!SameName(index.name, body.name) || index.definition.empty() || !index.unique) continue;
    dropped_indexes_.insert(index.name);
    plan_.warnings.push_back("unique index " + index.name + " is dropped at complete" + later +
                             " (`up` and `down` are not used)");
    return Status::Ok();
  }
  std::vector<std::string> names = ConstraintsNamed(*original, body.name);
  if (names.empty()) {
    return ErrorAt(op, "name",
                   "constraint \"" + body.name + "\" does not exist on table \"" + table->name +
                       "\" (SQLite knows a constraint by name when its CREATE TABLE says "
                       "CONSTRAINT name, or when it is a unique index)");
  }
  if (std::find(names.begin(), names.end(), kPrimaryKey) != names.end()) {
    return Unsupported(op, "\"" + body.name +
                               "\" is the primary key; tandem needs a key to move data and "
                               "cannot drop it online");
  }
  TANDEM_RETURN_IF_ERROR(RequireRebuildable(op, *table));
  for (const auto& name : names) dropped_constraints_[table->physical].insert(name);
  rebuild_.insert(table->physical);
  plan_.warnings.push_back("constraint " + body.name + " of " + table->physical +
                           " is left out of the table rebuilt at complete" + later +
                           " (`up` and `down` are not used)");
  return Status::Ok();
}

}  // namespace tandem::plan::sqlite
