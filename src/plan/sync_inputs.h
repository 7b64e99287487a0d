// The columns whose change a table's dual-write must see: those its `up`
// or `down` expressions read (as NEW."name", the form the planners rewrite
// column references to) and those `down` sets. An update of any other
// column leaves the new and the old columns as consistent as they were, so
// the triggers need not run for it; both engines name these columns in
// their update triggers' UPDATE OF list.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.h"

namespace tandem::plan {

// Of `columns` (in their order), those the sync reads or `down` sets. An
// expression that mentions NEW in any other form (the whole row, a name
// tandem did not quote) could read anything: then all of `columns`.
std::vector<std::string> SyncInputs(const TableSync& sync, const std::vector<std::string>& columns);

}  // namespace tandem::plan
