// Reads a SQLite database's schema into plan::Catalog, from sqlite_schema
// and the table/index pragmas. tandem's own state tables are left out.
#pragma once

#include "backends/backend.h"

namespace tandem::backend::sqlite {

Result<plan::Catalog> LoadSqliteCatalog(Connection& conn);

}  // namespace tandem::backend::sqlite
