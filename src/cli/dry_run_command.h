// --dry-run of start, backfill, switch, complete and migrate: asks the
// runner what the command would run and prints it (text, or one JSON line
// with --json). Nothing is changed and no lock is taken.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "core/runner.h"

namespace tandem::cli {

struct DryRunRequest {
  std::string command;                         // start | backfill | switch | complete | migrate
  const plan::Migration* migration = nullptr;  // start
  const std::vector<plan::Migration>* migrations = nullptr;  // migrate
  core::StartOptions start;
  core::SwitchOptions switch_options;
};

Status RunDryRun(core::Runner& runner, const DryRunRequest& request, bool json);

}  // namespace tandem::cli
