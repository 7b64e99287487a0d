// A Plan as JSON, for the state store (so `complete` and `rollback` replay
// what `start` planned) and for `plan --json`.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "plan/migration.h"
#include "plan/plan.h"

namespace tandem::plan {

std::string PlanToJson(const Plan& plan, int indent = -1);
Result<Plan> PlanFromJson(const std::string& json);
// `steps` as the JSON array the plan stores them in (`plan --json` shows it).
std::string StepsJsonText(const std::vector<Step>& steps);
// The SHA-256 (hex) of what `plan` runs: its JSON without what
// FirstDifference ignores (the inputs it came from, checks and warnings
// that name the file's path, what complete retires). Approvals and
// sign-offs are bound to it, so an edit of the file that changes no step
// (a comment, spacing) keeps them, and any change of what runs does not.
std::string PlanChecksum(const Plan& plan);
// What approvals, sign-offs and rehearsals are bound to: what `plan` runs
// and every setting of the file it came from (hooks run commands; the
// throttle, gates and owners are what was signed), but neither comments nor
// layout, so an edit of those keeps them.
std::string BoundChecksum(const Plan& plan, const Migration& migration);
// Where `stored` first differs from `derived` (in what runs), in words: the
// element's path and both texts around the first differing character;
// empty when they are the same.
std::string FirstDifference(const Plan& stored, const Plan& derived);

}  // namespace tandem::plan
