// The readers PostgreSQL records dependencies for (pg_depend): everything
// but function bodies, which body_readers.h reads.
#pragma once

#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "plan/plan.h"
#include "readers/types.h"

namespace tandem::readers::postgres {

// Schemas whose objects are tandem's own: the state schema, the new
// version's schema and the old versions' schemas complete drops.
std::vector<std::string> OwnSchemas(const plan::Plan& plan);

Result<std::vector<Reader>> CatalogReaders(backend::Connection& conn, const plan::Plan& plan);

}  // namespace tandem::readers::postgres
