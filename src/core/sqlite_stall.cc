#include "core/sqlite_stall.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "backfill/sqlite/busy_poll.h"

namespace tandem::core {
namespace {

using Clock = std::chrono::steady_clock;

bool IsSwap(const plan::Step& step) {
  for (const auto& s : step.statements) {
    if (s.find("RENAME TO \"_tandem_retired_") != std::string::npos) return true;
  }
  return false;
}

// The database's schema without its rows: tables first, then what names
// them (indexes, views, triggers), each as the database states it.
Status CopySchema(backend::Connection& from, backend::Connection& to) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult objects,
                          from.Query("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND "
                                     "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY CASE type "
                                     "WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'view' THEN 2 "
                                     "ELSE 3 END, rowid"));
  TANDEM_RETURN_IF_ERROR(to.Execute("PRAGMA foreign_keys = OFF"));
  for (const auto& row : objects.rows) TANDEM_RETURN_IF_ERROR(to.Execute(row[0].value_or("")));
  return to.Execute("PRAGMA foreign_keys = ON");
}

// Runs `steps` on the scratch database as the runner would, the copies
// without rows (their tables, indexes and triggers only), and keeps the
// longest swap's time.
Status RunSteps(backend::Database& database, backend::Connection& scratch,
                const std::vector<plan::Step>& steps, double& longest_swap_ms) {
  backend::LockPolicy policy;
  for (const auto& step : steps) {
    if (step.kind == plan::StepKind::kDrainTable) continue;
    if (step.kind == plan::StepKind::kCopyRows) {
      if (step.copy) {
        for (const auto& s : step.copy->prepare) TANDEM_RETURN_IF_ERROR(scratch.Execute(s));
      }
      continue;
    }
    auto started = Clock::now();
    TANDEM_RETURN_IF_ERROR(
        database.RunStep(scratch, "main", step, policy, nullptr, nullptr).status());
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (IsSwap(step)) longest_swap_ms = std::max(longest_swap_ms, ms);
  }
  return Status::Ok();
}

// The plan up to `ending` (complete's or rollback's steps), from a fresh
// copy of the schema.
Status TimeSwaps(backend::Database& database, backend::Connection& conn, const plan::Plan& plan,
                 const std::vector<plan::Step>& ending, double& longest_swap_ms) {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Connection> scratch,
                          database.ConnectToScratch());
  TANDEM_RETURN_IF_ERROR(CopySchema(conn, *scratch));
  double ignored = 0;
  TANDEM_RETURN_IF_ERROR(RunSteps(database, *scratch, plan.expand, ignored));
  TANDEM_RETURN_IF_ERROR(RunSteps(database, *scratch, plan.after_backfill, ignored));
  return RunSteps(database, *scratch, ending, longest_swap_ms);
}

}  // namespace

Result<std::optional<StallEstimate>> MeasureSqliteStall(backend::Database& database,
                                                        backend::Connection& conn,
                                                        const plan::Plan& plan, Millis chunk_time) {
  bool rebuilds = false;
  for (const auto* steps : {&plan.complete, &plan.rollback}) {
    for (const auto& step : *steps) rebuilds = rebuilds || IsSwap(step);
  }
  if (!rebuilds) return std::optional<StallEstimate>();
  double swap_ms = 0;
  TANDEM_RETURN_IF_ERROR(TimeSwaps(database, conn, plan, plan.complete, swap_ms));
  TANDEM_RETURN_IF_ERROR(TimeSwaps(database, conn, plan, plan.rollback, swap_ms));
  // A chunk ends within twice its target (backfill/sqlite/write_turns.cc).
  long long chunk_ms = 2 * chunk_time.count();
  long long held = std::max(chunk_ms, static_cast<long long>(swap_ms + 0.999));
  StallEstimate estimate;
  estimate.writer_wait_ms = backfill::BusyPollWait(Millis(held)).count();
  char swap_text[32];
  std::snprintf(swap_text, sizeof swap_text, "%.1f", swap_ms);
  estimate.how = std::string("measured by plan: the swap's statements took ") + swap_text +
                 " ms on an in-memory copy of the schema, a copy chunk holds the lock up to " +
                 std::to_string(chunk_ms) + " ms, a waiting writer tries again at " +
                 std::to_string(estimate.writer_wait_ms) + " ms (SQLite's busy handler)";
  return std::optional<StallEstimate>(std::move(estimate));
}

}  // namespace tandem::core
