// Live sessions still on the old shape: pg_stat_activity's current or last
// statement of each client session of this database, read with the
// PostgreSQL parser, naming a table complete drops or renames, a column of
// it (named, or through `*`). tandem's own sessions (application_name
// "tandem") and the one asking are not readers. Only reads.
#pragma once

#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "plan/plan.h"
#include "readers/types.h"

namespace tandem::readers::postgres {

inline constexpr char kSession[] = "session";

Result<std::vector<Reader>> SessionReaders(backend::Connection& conn, const plan::Plan& plan);

}  // namespace tandem::readers::postgres
