// Runner: a migration's archive for `tandem report`, read from the state
// store (core/report.h renders it).
#include "core/runbook.h"
#include "core/runner.h"

namespace tandem::core {

Result<MigrationArchive> Runner::Archive(const std::string& name) {
  TANDEM_ASSIGN_OR_RETURN(bool recorded, OpenRecords());
  std::vector<MigrationRecord> history;
  if (recorded) {
    TANDEM_ASSIGN_OR_RETURN(history, state_->History(options_.schema));
  }
  const MigrationRecord* chosen = nullptr;
  for (const auto& r : history) {
    if (name.empty() || r.name == name) chosen = &r;  // the newest of that name
  }
  if (chosen == nullptr) {
    return Status::Refused((name.empty() ? std::string("no migration is recorded")
                                         : "no migration named \"" + name + "\" is recorded") +
                           " on schema \"" + options_.schema +
                           "\"; `tandem history` lists those that are");
  }
  MigrationArchive archive;
  archive.record = *chosen;
  TANDEM_ASSIGN_OR_RETURN(archive.events, state_->Events(chosen->id));
  TANDEM_ASSIGN_OR_RETURN(archive.verify_runs, state_->VerifyRuns(chosen->id));
  TANDEM_ASSIGN_OR_RETURN(archive.signoffs, Signoffs(*chosen));
  TANDEM_ASSIGN_OR_RETURN(archive.rehearsal,
                          LastRehearsal(*conn_, database_.engine(), options_.state_schema,
                                        chosen->schema, chosen->name));
  return archive;
}

}  // namespace tandem::core

namespace tandem::core {

Result<std::string> Runner::Runbook(const plan::Migration& migration, const std::string& file) {
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, Plan(migration));
  TANDEM_ASSIGN_OR_RETURN(std::optional<Rehearsal> rehearsal,
                          LastRehearsal(*conn_, database_.engine(), options_.state_schema,
                                        options_.schema, migration.name));
  return RunbookMarkdown({migration, plan, rehearsal, file});
}

}  // namespace tandem::core
