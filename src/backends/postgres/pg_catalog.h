// Loads a plan::Catalog of one schema from PostgreSQL's system catalogs.
#pragma once

#include <string>

#include "backends/backend.h"

namespace tandem::backend::postgres {

Result<plan::Catalog> LoadPgCatalog(Connection& conn, const std::string& schema);

}  // namespace tandem::backend::postgres
