// create_index, drop_index.
#include "common/strings.h"
#include "plan/planner_internal.h"

namespace tandem::plan {

Status Planner::CreateIndexOp(const Operation& op, const CreateIndex& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  TANDEM_RETURN_IF_ERROR(RequireNewRelationName(op, "name", body.name));
  std::vector<std::string> elements;
  for (size_t i = 0; i < body.columns.size(); ++i) {
    const IndexColumn& c = body.columns[i];
    TANDEM_ASSIGN_OR_RETURN(
        VirtualColumn * column,
        RequireColumn(op, "columns[" + std::to_string(i) + "]", *table, c.name));
    std::string element = QuoteIdent(column->physical);
    if (!c.collate.empty()) element += " COLLATE " + QuoteIdent(c.collate);
    if (!c.opclass.empty()) element += " " + c.opclass;
    if (!c.sort.empty()) element += " " + c.sort;
    if (!c.nulls.empty()) element += " NULLS " + c.nulls;
    elements.push_back(element);
  }
  std::string sql = std::string("CREATE ") + (body.unique ? "UNIQUE " : "") +
                    "INDEX CONCURRENTLY " + QuoteIdent(body.name) + " ON " + Qualified(*table);
  if (!body.method.empty()) sql += " USING " + body.method;
  sql += " (" + Join(elements, ", ") + ")";
  if (!body.storage_parameters.empty()) sql += " WITH (" + body.storage_parameters + ")";
  if (!body.predicate.empty()) {
    TANDEM_ASSIGN_OR_RETURN(std::string predicate,
                            PhysicalExpression(op, "predicate", *table, body.predicate));
    sql += " WHERE " + predicate;
  }
  Step build = TableStep("build index " + body.name + " concurrently", sql, table->physical,
                         LockLevel::kShareUpdateExclusive);
  build.concurrent = true;
  build.index_to_clean = body.name;
  plan_.expand.push_back(build);
  Step drop =
      TableStep("drop index " + body.name + " created by this migration",
                "DROP INDEX CONCURRENTLY IF EXISTS " + QualifiedName(options_.schema, body.name),
                table->physical, LockLevel::kShareUpdateExclusive);
  drop.concurrent = true;
  AddRollbackStep(drop);
  return Status::Ok();
}

Status Planner::DropIndexOp(const Operation& op, const DropIndex& body) {
  const CatalogTable* owner = nullptr;
  for (const auto& [name, table] : catalog_.tables) {
    for (const auto& index : table.indexes) {
      if (index.name == body.name) owner = &table;
    }
  }
  if (owner == nullptr) {
    return ErrorAt(
        op, "name",
        "index \"" + body.name + "\" does not exist in schema \"" + options_.schema + "\"");
  }
  dropped_on_purpose_[owner->name].insert(body.name);
  Step drop =
      TableStep("drop index " + body.name,
                "DROP INDEX CONCURRENTLY IF EXISTS " + QualifiedName(options_.schema, body.name),
                owner->name, LockLevel::kShareUpdateExclusive);
  drop.concurrent = true;
  after_switch_steps_.push_back(drop);
  return Status::Ok();
}

}  // namespace tandem::plan
