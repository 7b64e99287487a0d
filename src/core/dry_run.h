// What a mutating command would do, without doing it (`--dry-run`): the
// steps it would run with their SQL and locks, the tables it would
// backfill, and what would stop or skip it. Built from the live schema and
// tandem's records, read on a read-only session.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.h"

namespace tandem::core {

// One run of steps, in the order the command would run them.
struct DryRunStage {
  std::string name;  // e.g. "start: expand", "switch", "complete"
  std::vector<plan::Step> steps;
};

struct DryRunBackfill {
  std::string table;
  std::vector<std::string> key_columns;  // empty: in chunks of pages (ctid)
};

struct DryRun {
  std::string command;         // start | backfill | switch | complete
  std::string migration;       // its name; empty when there is none to act on
  std::string recorded_phase;  // the phase tandem's records hold now; empty when none
  std::vector<DryRunStage> stages;
  std::vector<DryRunBackfill> backfills;  // run between the stages of start
  // What a person should know: a gate that would refuse, a part already
  // done, a warning of the planner.
  std::vector<std::string> notes;
};

}  // namespace tandem::core
