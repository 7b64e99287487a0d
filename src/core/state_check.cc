#include "core/state_check.h"

#include <set>

namespace tandem::core {
namespace {

// The dual-write triggers of `sync` that may be `state_schema`'s and are
// installed on its table (SQLite does not say whose a trigger is).
Result<std::set<std::string>> InstalledTriggers(backend::Database& database,
                                                backend::Connection& conn, const plan::Plan& plan,
                                                const plan::TableSync& sync,
                                                const std::string& state_schema) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<backend::MigrationObject> objects,
                          database.MigrationObjectsOn(conn, plan.schema, sync.table));
  std::set<std::string> installed;
  for (const auto& object : objects) {
    if (object.trigger && (object.state_schema.empty() || object.state_schema == state_schema)) {
      installed.insert(object.name);
    }
  }
  return installed;
}

// Whether a trigger of `sync` is not installed. A plan that does not name
// its triggers misses them only when the table has none at all.
bool AnyTriggerMissing(const plan::TableSync& sync, const std::set<std::string>& installed) {
  if (sync.triggers.empty()) return installed.empty();
  for (const auto& name : sync.triggers) {
    if (installed.count(name) == 0) return true;
  }
  return false;
}

std::string ActiveWithoutTrigger(const MigrationRecord& record, const std::string& table) {
  return "migration \"" + record.name + "\" is active, but its dual-write trigger on \"" + table +
         "\" is gone: writes through the old version no longer fill the new columns. Run "
         "`tandem rollback` (it drops what is left of the migration), then start the file again";
}

std::string CompletedWithTrigger(const MigrationRecord& record, const std::string& table,
                                 const std::string& state_schema) {
  return "migration \"" + record.name + "\" is recorded as completed (" + record.completed_at +
         "), but its dual-write trigger on \"" + table +
         "\" is still installed: its contract never ran, and the records were restored or "
         "edited. Set it back to active in tandem's migrations table (state schema \"" +
         state_schema + "\": phase = 'active', completed_at = NULL for id " +
         std::to_string(record.id) + "), then run `tandem complete` or `tandem rollback`";
}

}  // namespace

Result<std::vector<std::string>> Contradictions(backend::Database& database,
                                                backend::Connection& conn,
                                                const MigrationRecord& record,
                                                const plan::Plan& plan,
                                                const std::string& state_schema) {
  std::vector<std::string> found;
  // A switched migration keeps dual-write on: its triggers must be there too.
  bool active = record.phase == Phase::kActive || record.phase == Phase::kSwitched;
  if (!active && record.phase != Phase::kCompleted) return found;
  for (const auto& sync : plan.syncs) {
    TANDEM_ASSIGN_OR_RETURN(std::set<std::string> installed,
                            InstalledTriggers(database, conn, plan, sync, state_schema));
    if (active && AnyTriggerMissing(sync, installed)) {
      found.push_back(ActiveWithoutTrigger(record, sync.table));
    }
    if (!active && !installed.empty()) {
      found.push_back(CompletedWithTrigger(record, sync.table, state_schema));
    }
  }
  return found;
}

}  // namespace tandem::core
