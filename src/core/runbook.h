// `tandem runbook FILE`: a Markdown runbook made from the plan and the
// file: the commands in order with the output to expect, stop conditions
// and rollback triggers (the gates' thresholds), the fastest safe rollback
// per phase with its rehearsed time, the validation queries, the
// observation window's criteria and the roster. Pure: the runner gathers
// its inputs.
#pragma once

#include <optional>
#include <string>

#include "core/rehearsal.h"
#include "plan/migration.h"
#include "plan/plan.h"

namespace tandem::core {

struct RunbookInputs {
  const plan::Migration& migration;
  const plan::Plan& plan;
  std::optional<Rehearsal> rehearsal;  // the newest of this migration, if any
  std::string file;                    // as the commands should name it
};

std::string RunbookMarkdown(const RunbookInputs& in);

}  // namespace tandem::core
