// set_replica_identity.
#include "common/strings.h"
#include "plan/planner_internal.h"

namespace tandem::plan {
namespace {

std::string ReplicaIdentityClause(const std::string& type, const std::string& index) {
  if (type == "index") return "USING INDEX " + QuoteIdent(index);
  return ToLower(type) == "full" ? "FULL" : ToLower(type) == "nothing" ? "NOTHING" : "DEFAULT";
}

}  // namespace

Status Planner::SetReplicaIdentityOp(const Operation& op, const SetReplicaIdentity& body) {
  TANDEM_ASSIGN_OR_RETURN(VirtualTable * table, RequireTable(op, "table", body.table));
  const CatalogTable* original = catalog_.FindTable(table->physical);
  if (body.type == "index") {
    bool found = false;
    for (const auto& index : original ? original->indexes : std::vector<CatalogIndex>{}) {
      found = found || index.name == body.index;
    }
    if (!found) {
      return ErrorAt(op, "identity.index",
                     "index \"" + body.index + "\" does not exist on table \"" + body.table + "\"");
    }
  }
  std::string qualified = Qualified(*table);
  Step step;
  step.description = "set replica identity of " + table->physical + " to " + body.type;
  step.statements.push_back("ALTER TABLE " + qualified + " REPLICA IDENTITY " +
                            ReplicaIdentityClause(body.type, body.index));
  step.tables = {table->physical};
  step.lock = LockLevel::kAccessExclusive;
  plan_.expand.push_back(step);
  if (original != nullptr) {
    static const std::map<char, std::string> kTypes = {
        {'d', "default"}, {'f', "full"}, {'n', "nothing"}, {'i', "index"}};
    std::string previous = kTypes.count(original->replica_identity)
                               ? kTypes.at(original->replica_identity)
                               : "default";
    Step restore = step;
    restore.description = "restore replica identity of " + table->physical;
    restore.statements = {"ALTER TABLE " + qualified + " REPLICA IDENTITY " +
                          ReplicaIdentityClause(previous, original->replica_identity_index)};
    AddRollbackStep(restore);
  }
  return Status::Ok();
}

}  // namespace tandem::plan
