#include "core/tables_in_flight.h"

#include <set>

#include "common/strings.h"

namespace tandem::core {
namespace {

constexpr char kClear[] =
    "complete or roll back that migration first (`tandem --state-schema S status` shows it, "
    "S being the state schema it was started with), then start this one";

std::set<std::string> ChangedTables(const plan::Plan& plan) {
  std::set<std::string> tables;
  for (const auto& sync : plan.syncs) tables.insert(sync.table);
  for (const auto& step : plan.expand) tables.insert(step.tables.begin(), step.tables.end());
  return tables;
}

}  // namespace

Status RefuseTablesInFlight(backend::Database& database, backend::Connection& conn,
                            const plan::Plan& plan) {
  for (const auto& table : ChangedTables(plan)) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<backend::MigrationObject> objects,
                            database.MigrationObjectsOn(conn, plan.schema, table));
    if (objects.empty()) continue;
    std::vector<std::string> found;
    for (const auto& object : objects) found.push_back(object.description);
    return Status::Refused("table \"" + table + "\" is in another migration already: it has " +
                           Join(found, ", ") + "; " + kClear);
  }
  return Status::Ok();
}

}  // namespace tandem::core
