// How the CLI shows things: a Reporter for terminals and one for --json
// (one JSON object per line), and printers for plans, status and history.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/reporter.h"
#include "core/runner.h"
#include "plan/plan.h"

namespace tandem::cli {

std::unique_ptr<core::Reporter> MakeReporter(bool json);

void PrintPlan(const plan::Plan& plan, bool json);
// "PHASE (N steps)", then each step with its lock and its SQL.
void PrintSteps(const char* phase, const std::vector<plan::Step>& steps);
// "COMMAND: backfill TABLE in chunks along (KEYS)", or of pages without a key.
void PrintBackfill(const char* command, const std::string& table,
                   const std::vector<std::string>& key_columns);
void PrintStatus(const core::StatusReport& report, bool json);
// rollback --dry-run: the action for the phase and the steps it would run.
void PrintRollbackChoice(const core::RollbackChoice& choice, bool json);
// The JSON object `status --json` prints (one line, no newline).
std::string StatusJson(const core::StatusReport& report);
// Every migration of `history` as a JSON array, as /api/v1/history answers.
std::string HistoryJson(const std::vector<core::MigrationRecord>& history);
void PrintHistory(const std::vector<core::MigrationRecord>& history, bool json);
// The error line a person sees, or ErrorJson's object.
void PrintError(const Status& status, int exit_code, bool json);
// {"error": message, "exit_code": N, "sqlstate": code where the database gave one}.
std::string ErrorJson(const Status& status, int exit_code);

}  // namespace tandem::cli
