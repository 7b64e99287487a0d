// A table may be in one migration at a time. Each migration's records sit
// in its state schema, but its objects (dual-write triggers, shadow columns,
// the version schema) sit in the migrated schema under fixed names, so a
// second migration of the same table, recorded in another state schema,
// would take them over; its rollback would then drop the first one's.
#pragma once

#include "backends/backend.h"
#include "plan/plan.h"

namespace tandem::core {

// kRefused when a table `plan` changes carries another migration's objects;
// the message names them and how to clear them. Looks at the database, not
// at any state schema. (The planner refuses a version schema that exists.)
Status RefuseTablesInFlight(backend::Database& database, backend::Connection& conn,
                            const plan::Plan& plan);

}  // namespace tandem::core
