// SQLite's hidden readers of what a plan's complete retires: the views and
// triggers of sqlite_schema whose SQL names a dropped column or table, or a
// view of an old version. SQLite keeps no dependencies and offers no
// parser, so their SQL is read token by token (sql_tokens.h). A renamed
// column breaks them only where complete rebuilds its table: otherwise
// SQLite rewrites the views and triggers naming it (and a renamed table),
// and a replaced column keeps its name. tandem's own
// views and triggers, and the new version's, are not readers. Only reads.
#pragma once

#include <vector>

#include "backends/backend.h"
#include "common/status.h"
#include "plan/plan.h"
#include "readers/types.h"

namespace tandem::readers::sqlite {

Result<std::vector<Reader>> FindReaders(backend::Connection& conn, const plan::Plan& plan);

}  // namespace tandem::readers::sqlite
