// The readiness gates: one per transition, each a list of conditions
// decided from recorded evidence (types.h) and the file's `governance:`
// section. Pure functions; the core gathers the evidence and enforces.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "gates/types.h"
#include "plan/migration.h"

namespace tandem::gates {

Gate EvaluateGate(Transition transition, const Evidence& evidence,
                  const plan::Governance& governance);
// The gates in the order a migration meets them: plan -> expand where the
// policy names sign-offs for start (StartGoverned), then the three others.
std::vector<Gate> EvaluateGates(const Evidence& evidence, const plan::Governance& governance);
// Whether the file's policy asks for sign-offs before start.
bool StartGoverned(const plan::Governance& governance);

// The scorecard: the five categories with their evidence and sign-off.
std::vector<ScorecardRow> Scorecard(const Evidence& evidence);

// kRefused naming every unmet condition of `gate` (but those in `skip`,
// which the caller checks itself) and what to do about each; Ok when none.
Status RefuseUnmet(const Gate& gate, const std::string& migration,
                   const std::set<std::string>& skip = {});

// "compatibility" ... as kCategories; false for anything else.
bool IsCategory(const std::string& category);

// `tandem gates`: the gates and the scorecard, for people and as JSON.
std::string GatesToText(const std::vector<Gate>& gates, const std::vector<ScorecardRow>& rows);
std::string GatesToJson(const std::string& migration, const std::vector<Gate>& gates,
                        const std::vector<ScorecardRow>& rows);

}  // namespace tandem::gates
