// PostgreSQL's hidden readers of what a plan's complete retires: views and
// materialized views, triggers, row-level security policies, generated
// columns, indexes, constraints and publications found through the catalog's
// dependencies (pg_depend) down to the column; functions and procedures
// (and the functions of triggers) whose SQL or PL/pgSQL bodies name what is
// retired, read with the PostgreSQL parser; client sessions whose current
// or last statement uses the old shape (session_readers.h). tandem's own objects (its
// triggers and functions, the version schemas' views) and the new version
// are not readers. Only reads.
#pragma once

#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "plan/plan.h"
#include "readers/types.h"

namespace tandem::readers::postgres {

Result<std::vector<Reader>> FindReaders(backend::Connection& conn, const plan::Plan& plan);

}  // namespace tandem::readers::postgres
