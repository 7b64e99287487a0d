// Runner: `tandem rehearse`, the lifecycle run on a scratch copy (start,
// backfill, verify, switch, switch back, rollback), each phase timed and
// extrapolated to the real tables, the copy removed whatever happened, and
// the result recorded as the migration's reversibility evidence.
#include <unistd.h>

#include <chrono>
#include <random>

#include "backends/number.h"
#include "common/strings.h"
#include "core/governance_store.h"
#include "core/runner.h"
#include "core/scratch.h"
#include "plan/plan_json.h"

namespace tandem::core {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Unique per rehearsal, and a valid part of a schema or file name.
std::string Tag() {
  std::random_device random;
  return std::to_string(getpid()) + "_" + std::to_string(random() % 1000000);
}

// Phases whose work grows with the rows: extrapolated linearly.
bool GrowsWithRows(const std::string& phase) {
  return phase == "backfill" || phase == "verify" || phase == "rollback";
}

}  // namespace

Status Runner::RehearsePhases(Scratch& scratch, const plan::Migration& migration,
                              const RehearseOptions& options, Rehearsal& result) {
  RunnerOptions scratch_options = options_;
  scratch_options.schema = scratch.schema;
  scratch_options.state_schema = scratch.state_schema;
  scratch_options.rehearsal = true;
  Runner runner(*scratch.database, scratch_options, reporter_);
  double factor = result.rows_copied > 0 && result.rows_real > result.rows_copied
                      ? static_cast<double>(result.rows_real) / result.rows_copied
                      : 1.0;
  auto timed = [&](const std::string& phase, auto run) -> Status {
    reporter_.Note("rehearsal: " + phase);
    auto started = Clock::now();
    Status status = run();
    if (!status.ok()) return status.WithContext("rehearsal phase " + phase);
    double seconds = SecondsSince(started);
    result.phases.push_back({phase, seconds, GrowsWithRows(phase) ? seconds * factor : seconds});
    if (options.fail_after == phase) {
      return Status::Error(ErrorKind::kInterrupted, "failure injected after " + phase);
    }
    return Status::Ok();
  };
  StartOptions start;
  start.skip_backfill = true;
  TANDEM_RETURN_IF_ERROR(timed("expand", [&] { return runner.Start(migration, start); }));
  TANDEM_RETURN_IF_ERROR(timed("backfill", [&] { return runner.Backfill(); }));
  TANDEM_RETURN_IF_ERROR(timed("verify", [&]() -> Status {
    TANDEM_ASSIGN_OR_RETURN(verify::Pass pass, runner.Verify({}));
    if (pass.report.passed()) return Status::Ok();
    return Status::Refused("verification failed on the copy (flags " +
                           std::to_string(pass.report.flags) + ")");
  }));
  TANDEM_RETURN_IF_ERROR(timed("switch", [&] { return runner.Switch({}); }));
  TANDEM_RETURN_IF_ERROR(timed("switch back", [&] { return runner.Rollback(); }));
  return timed("rollback", [&] { return runner.Rollback(); });
}

Result<Rehearsal> Runner::Rehearse(const plan::Migration& migration,
                                   const RehearseOptions& options) {
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, Plan(migration));
  TANDEM_RETURN_IF_ERROR(Connect());
  Rehearsal result;
  result.checksum = plan::BoundChecksum(plan, migration);
  for (const auto& table : AffectedTables(plan)) {
    TANDEM_ASSIGN_OR_RETURN(
        backend::QueryResult rows,
        conn_->Query("SELECT count(*) FROM " + QualifiedName(plan.schema, table)));
    TANDEM_ASSIGN_OR_RETURN(long long count,
                            backend::ToInteger(rows.Scalar(), "the rows of " + table));
    result.rows_real += count;
  }
  auto made = engine_->MakeScratch({database_, *conn_, plan, options.rows, Tag()});
  Status outcome = made.status();
  Scratch scratch;
  if (made.ok()) {
    scratch = std::move(*made);
    result.rows_copied = scratch.rows_copied;
    result.copy_notes = scratch.notes;
    for (const auto& note : scratch.notes) reporter_.Note("rehearsal copy: " + note);
    outcome = RehearsePhases(scratch, migration, options, result);
  }
  // Removed whatever happened (a copy half made removes itself).
  Status removed = made.ok() ? engine_->RemoveScratch(*conn_, scratch) : Status::Ok();
  result.passed = outcome.ok();
  if (!outcome.ok()) result.failure = outcome.message();
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_RETURN_IF_ERROR(Governance().Append({.schema = options_.schema,
                                              .migration = migration.name,
                                              .kind = "rehearsal",
                                              .checksum = result.checksum,
                                              .by = options.by,
                                              .detail = result.ToJson()}));
  TANDEM_RETURN_IF_ERROR(removed);
  if (!outcome.ok()) {
    return outcome.WithContext("the rehearsal of \"" + migration.name +
                               "\" failed (recorded; the scratch copy is removed)");
  }
  return result;
}

}  // namespace tandem::core
