// The dual-write trigger of one table: a BEFORE INSERT OR UPDATE row trigger
// whose function fills the new version's columns (`up`) for writes through
// any other version, and the old columns (`down`) for writes through the new
// version.
//
// Kept minimal on purpose, because it runs for every row the application
// writes: one search_path lookup, one assignment per synced column with the
// column references already rewritten to NEW."col" (no per-column locals),
// and the backfill marker.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.h"

namespace tandem::plan {

std::vector<std::string> CreateDualWriteTriggerSql(const Plan& plan, const TableSync& sync);
std::vector<std::string> DropDualWriteTriggerSql(const Plan& plan, const TableSync& sync);

}  // namespace tandem::plan
