// Runner: the hidden-reader audit (readers/) for `readers`, for `plan`'s
// warnings, and as complete's first gate; and the statement counters kept
// when an observation window opens (start, switch).
#include "core/runner.h"
#include "readers/code_scan.h"
#include "readers/findings.h"

namespace tandem::core {

namespace {

// The database's readers of `plan`, and the code's under `scan_dir` if given.
Result<std::vector<readers::Reader>> AllReaders(Engine& engine, backend::Connection& conn,
                                                const plan::Plan& plan,
                                                const std::string& scan_dir) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<readers::Reader> found, engine.FindReaders(conn, plan));
  if (scan_dir.empty()) return found;
  TANDEM_ASSIGN_OR_RETURN(std::vector<readers::Reader> code,
                          readers::ScanCode(scan_dir, plan.retired));
  found.insert(found.end(), code.begin(), code.end());
  return found;
}

constexpr char kStatementCounts[] = "statement counts";

}  // namespace

Status Runner::KeepStatementCounts(const MigrationRecord& record, const std::string& phase) {
  TANDEM_ASSIGN_OR_RETURN(std::optional<std::string> counts, engine_->StatementCounts(*conn_));
  if (!counts) return Status::Ok();
  Event event;
  event.phase = phase;
  event.kind = kStatementCounts;
  event.description = "statement counters kept: queries of the old shape count from here";
  event.outcome = "ok";
  event.detail = *counts;
  return state_->Append(record.id, event);
}

Result<readers::StatementAudit> Runner::StatementReaders(const MigrationRecord& record,
                                                         const plan::Plan& plan) {
  TANDEM_ASSIGN_OR_RETURN(std::optional<RecordedEvent> kept,
                          state_->LastEvent(record.id, kStatementCounts));
  std::string window = !kept                           ? "the server's counters began"
                       : kept->event.phase == "switch" ? "the switch"
                                                       : "the migration started";
  return engine_->StatementReaders(*conn_, plan, kept ? kept->event.detail : "", window);
}

Result<std::vector<readers::Reader>> Runner::Readers(const std::string& scan_dir) {
  TANDEM_RETURN_IF_ERROR(ConnectToRead());
  TANDEM_ASSIGN_OR_RETURN(bool has_state, state_->Exists());
  if (!has_state) {
    return Status::Refused("no migration is in progress on schema \"" + options_.schema +
                           "\" (tandem's state schema \"" + options_.state_schema +
                           "\" does not exist), so there is nothing to check; `tandem plan FILE` "
                           "lists the readers of a migration before it starts");
  }
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("check for readers"));
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  TANDEM_ASSIGN_OR_RETURN(std::vector<readers::Reader> found,
                          AllReaders(*engine_, *conn_, plan, scan_dir));
  TANDEM_ASSIGN_OR_RETURN(readers::StatementAudit statements, StatementReaders(record, plan));
  if (!statements.note.empty()) reporter_.Note(statements.note);
  found.insert(found.end(), statements.readers.begin(), statements.readers.end());
  return readers::Tidy(std::move(found));
}

Status Runner::GateOnReaders(const MigrationRecord& record, const plan::Plan& plan,
                             const CompleteOptions& options) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<readers::Reader> found,
                          AllReaders(*engine_, *conn_, plan, options.scan_dir));
  TANDEM_ASSIGN_OR_RETURN(readers::StatementAudit statements, StatementReaders(record, plan));
  for (auto& r : statements.readers) {
    if (r.blocks) found.push_back(std::move(r));  // not run in the window: no reader now
  }
  if (found.empty()) return Status::Ok();
  if (!options.force) return readers::RefuseReaders(record.name, found);
  std::string names;
  for (const auto& r : found) names += (names.empty() ? "" : ", ") + r.kind + " " + r.name;
  return RecordForced(record, options, "hidden readers (" + names + ")");
}

}  // namespace tandem::core
