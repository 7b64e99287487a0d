// The state store says which phase a migration is in; the database holds
// what that phase implies. Records restored from a backup or edited by hand
// can say otherwise, and the next command would then fail half-way through
// (a start meets the dual-write trigger a completed migration should have
// dropped) or do harm (an active migration whose trigger is gone no longer
// fills its new columns).
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/state_store.h"
#include "plan/plan.h"

namespace tandem::core {

// Where the database contradicts `record` (planned as `plan`, its records in
// `state_schema`), each with the step that clears it; empty when it agrees.
// Only the settled phases are checked: active and completed.
Result<std::vector<std::string>> Contradictions(backend::Database& database,
                                                backend::Connection& conn,
                                                const MigrationRecord& record,
                                                const plan::Plan& plan,
                                                const std::string& state_schema);

}  // namespace tandem::core
