// Runner: planning a migration, and checking a stored plan against its stored file.
#include "core/runner.h"
#include "core/tables_in_flight.h"
#include "plan/plan_json.h"
#include "reader/reader.h"
#include "readers/findings.h"

namespace tandem::core {

Result<plan::Plan> Runner::Plan(const plan::Migration& migration) {
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, PlanWithInputs(migration));
  MeasureStall(plan);
  plan.inputs.reset();
  // Found now, before anything changes; complete refuses while they remain.
  TANDEM_ASSIGN_OR_RETURN(std::vector<readers::Reader> found, engine_->FindReaders(*conn_, plan));
  for (const auto& r : found) plan.warnings.push_back(readers::ReaderWarning(r));
  return plan;
}

// The longest a writer waits during the plan's online rebuilds, measured
// now and stated beside the steps (among the things to know before running
// it, which a stored plan's comparison leaves out: the figure changes from
// run to run). A measurement that fails leaves the plan as it is, and says so.
void Runner::MeasureStall(plan::Plan& plan) {
  auto stall = engine_->MeasureStall(database_, *conn_, plan);
  if (!stall.ok()) {
    plan.warnings.push_back("the online rebuild's stall could not be measured (" +
                            stall.status().message() + ")");
  } else if (*stall) {
    plan.warnings.push_back(
        "while complete or rollback rebuilds a table online, writers wait "
        "at most about " +
        std::to_string((*stall)->writer_wait_ms) + " ms at a time (" + (*stall)->how + ")");
  }
}

Result<plan::Plan> Runner::PlanWithInputs(const plan::Migration& migration) {
  // Planning only reads: `plan` leaves the database as it was, and start
  // has its writing connection open already.
  TANDEM_RETURN_IF_ERROR(ConnectToRead());
  plan::PlanInputs inputs;
  TANDEM_ASSIGN_OR_RETURN(inputs.catalog, database_.LoadCatalog(*conn_, options_.schema));
  // Without the state tables there are no earlier version schemas to drop.
  TANDEM_ASSIGN_OR_RETURN(bool has_state, state_->Exists());
  if (has_state) {
    TANDEM_ASSIGN_OR_RETURN(inputs.previous_version_schemas,
                            state_->CompletedVersionSchemas(options_.schema));
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, Derive(migration, inputs));
  TANDEM_RETURN_IF_ERROR(RefuseTablesInFlight(database_, *conn_, plan));
  TANDEM_RETURN_IF_ERROR(CheckExpressions(plan));
  plan.inputs = std::move(inputs);
  return plan;
}

Result<plan::Plan> Runner::Derive(const plan::Migration& migration,
                                  const plan::PlanInputs& inputs) const {
  plan::PlanOptions plan_options{options_.schema, options_.state_schema,
                                 inputs.previous_version_schemas};
  return engine_->Plan(migration, inputs.catalog, plan_options);
}

Result<plan::Plan> Runner::StoredPlan(const MigrationRecord& record) {
  std::string edited = "; tandem's records of it (table migrations of state schema \"" +
                       options_.state_schema +
                       "\") were changed by hand, so nothing was run. Put back what start "
                       "stored, or run `tandem rollback` and start the file again";
  auto parsed = plan::PlanFromJson(record.plan_json);
  if (!parsed.ok()) {
    return Status::Refused("the stored plan of migration \"" + record.name + "\" cannot be read (" +
                           parsed.status().message() + ")" + edited);
  }
  plan::Plan stored = std::move(*parsed);
  if (!stored.inputs) return stored;  // stored before plans kept what they came from
  // Stored before the read switch: its file plans with a live schema now,
  // which the stored plan never made. It runs as it was planned (complete
  // and rollback as before; switch refuses it, Runner::Switch).
  // Only a record without the key at all: an edited one is still compared.
  bool before_read_switch = record.plan_json.find("\"live_schema\"") == std::string::npos;
  if (before_read_switch && engine_->capabilities().live_schema) return stored;
  auto migration = reader::ParseMigration(record.file_content, record.name + ".yaml");
  if (!migration.ok() || migration->checksum != record.checksum) {
    return Status::Refused("the stored file of migration \"" + record.name +
                           "\" no longer matches its checksum " + record.checksum.substr(0, 12) +
                           edited);
  }
  auto derived = Derive(*migration, *stored.inputs);
  if (!derived.ok()) {
    return Status::Refused("the stored file of migration \"" + record.name +
                           "\" no longer plans: " + derived.status().message() + edited);
  }
  std::string difference = plan::FirstDifference(stored, *derived);
  if (!difference.empty()) {
    return Status::Refused("the stored plan of migration \"" + record.name +
                           "\" differs from the plan its stored file gives, at " + difference +
                           edited);
  }
  // What complete retires is derived, not stored: plans stored before it
  // was recorded have it too.
  stored.retired = std::move(derived->retired);
  stored.retired_versions = std::move(derived->retired_versions);
  return stored;
}

Status Runner::CheckExpressions(const plan::Plan& plan) {
  for (const auto& check : plan.checks) {
    auto planned = conn_->Query(check.sql);
    if (planned.ok()) continue;
    if (planned.status().kind() == ErrorKind::kConnection) return planned.status();
    return Status::InvalidInput(check.where + ": " + planned.status().message() +
                                "; fix the expression (it is evaluated against the table as "
                                "it is now)");
  }
  return Status::Ok();
}

}  // namespace tandem::core
