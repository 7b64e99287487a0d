// Business invariants from the migration file's `verify:` section, checked
// against the new version's view of a table on either engine.
#pragma once

#include <string>

#include "backends/backend.h"
#include "plan/migration.h"
#include "verify/report.h"

namespace tandem::verify {

// Counts the rows of `view` (the new version's view of the invariant's
// table, aliased `t`) that break the invariant (NULL counts as kept, as in a
// CHECK constraint), with up to `show` examples named by `row_text` (an
// expression over `t`; of several columns the first names the row), and
// adds the result to `report`.
Status CheckInvariant(backend::Connection& conn, const std::string& view,
                      const std::string& row_text, const plan::Invariant& invariant, int show,
                      Report& report);

}  // namespace tandem::verify
