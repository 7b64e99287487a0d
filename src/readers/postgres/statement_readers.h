// Statements the server has counted (pg_stat_statements, when installed)
// that use the old shape (old_shape.h): an application's query reading or
// writing a column or table complete drops or renames, or a view of the old
// version, even when no session runs it right now. Each is reported with
// its calls, role and database, and whether it ran since the observation
// window opened: the counters are kept (as JSON, in tandem's event log)
// when `switch` starts, or when the migration starts, and only a statement
// whose calls changed since blocks complete. tandem's own statements (which
// start with backend::kStatementMarker), statements that are not queries
// (SET, DDL) and the new version's are left out. Only reads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "plan/plan.h"
#include "readers/types.h"

namespace tandem::readers::postgres {

inline constexpr char kStatement[] = "statement";

// pg_stat_statements' calls of each statement of this database, as a JSON
// object {"<queryid> <userid>": calls}; nullopt when it is not installed
// (or not loaded), so that there is nothing to keep.
Result<std::optional<std::string>> StatementCounts(backend::Connection& conn);

// The statements that use the old shape, against `counts` (StatementCounts'
// JSON when the window opened; "" when none was kept: every call counts).
// Reader::blocks: ran since the window opened. The note: not installed, or
// texts this role may not read.
// `window` names the window's start in words: "the switch".
Result<StatementAudit> StatementReaders(backend::Connection& conn, const plan::Plan& plan,
                                        const std::string& counts, const std::string& window);

}  // namespace tandem::readers::postgres
