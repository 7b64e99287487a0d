#include "cli/dry_run_command.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/output.h"
#include "common/rfc3339.h"
#include "plan/plan_json.h"

namespace tandem::cli {
namespace {

using nlohmann::json;

json DryRunJson(const core::DryRun& run) {
  json stages = json::array();
  for (const auto& stage : run.stages) {
    stages.push_back(
        {{"name", stage.name}, {"steps", json::parse(plan::StepsJsonText(stage.steps))}});
  }
  json backfills = json::array();
  for (const auto& b : run.backfills) {
    backfills.push_back({{"table", b.table}, {"key_columns", b.key_columns}});
  }
  return {{"event", "dry_run"},
          {"time", NowRfc3339()},
          {"command", run.command},
          {"migration", run.migration.empty() ? json(nullptr) : json(run.migration)},
          {"recorded_phase", run.recorded_phase.empty() ? json(nullptr) : json(run.recorded_phase)},
          {"stages", stages},
          {"backfills", backfills},
          {"notes", run.notes},
          {"changed", false}};
}

void PrintText(const core::DryRun& run) {
  std::string phase = run.recorded_phase.empty() ? "not started" : "phase " + run.recorded_phase;
  std::printf("dry run of `tandem %s` for migration \"%s\" (%s); nothing was changed\n",
              run.command.c_str(), run.migration.c_str(), phase.c_str());
  for (const auto& note : run.notes) std::printf("note: %s\n", note.c_str());
  bool backfill_shown = false;
  for (const auto& stage : run.stages) {
    bool after_backfill =
        stage.name.find("after the backfill") != std::string::npos || stage.name == "complete";
    if (after_backfill && !backfill_shown) {
      for (const auto& b : run.backfills)
        PrintBackfill(run.command.c_str(), b.table, b.key_columns);
      backfill_shown = true;
    }
    PrintSteps(stage.name.c_str(), stage.steps);
  }
  if (!backfill_shown) {
    for (const auto& b : run.backfills) PrintBackfill(run.command.c_str(), b.table, b.key_columns);
  }
}

void Print(const core::DryRun& run, bool as_json) {
  if (as_json) {
    std::printf("%s\n", DryRunJson(run).dump().c_str());
  } else {
    PrintText(run);
  }
  std::fflush(stdout);
}

}  // namespace

Status RunDryRun(core::Runner& runner, const DryRunRequest& request, bool as_json) {
  std::vector<core::DryRun> runs;
  if (request.command == "start") {
    TANDEM_ASSIGN_OR_RETURN(core::DryRun run,
                            runner.DryRunStart(*request.migration, request.start));
    runs.push_back(std::move(run));
  } else if (request.command == "backfill") {
    TANDEM_ASSIGN_OR_RETURN(core::DryRun run, runner.DryRunBackfill());
    runs.push_back(std::move(run));
  } else if (request.command == "switch") {
    TANDEM_ASSIGN_OR_RETURN(core::DryRun run, runner.DryRunSwitch(request.switch_options));
    runs.push_back(std::move(run));
  } else if (request.command == "complete") {
    TANDEM_ASSIGN_OR_RETURN(core::DryRun run, runner.DryRunComplete());
    runs.push_back(std::move(run));
  } else if (request.command == "migrate") {
    TANDEM_ASSIGN_OR_RETURN(runs,
                            runner.DryRunMigrate(*request.migrations, request.start.complete));
    if (runs.empty() && !as_json) std::printf("no migration files: migrate would do nothing\n");
  } else {
    return Status::InvalidInput("--dry-run is not available for `tandem " + request.command + "`");
  }
  for (size_t i = 0; i < runs.size(); ++i) {
    if (i > 0 && !as_json) std::printf("\n");
    Print(runs[i], as_json);
  }
  return Status::Ok();
}

}  // namespace tandem::cli
