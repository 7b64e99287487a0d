// The dual-write triggers of one table: BEFORE row triggers whose function
// fills the new version's columns (`up`) for writes through any other
// version, and the old columns (`down`) for writes through the new version.
//
// They fire on every insert, on an update of a column the dual-write reads
// or writes (UPDATE OF), and on any update of a row the backfill has not
// reached (WHEN on the marker): an application update of other columns of
// a backfilled row never calls the function. The function is kept minimal
// on purpose, because it runs for every row such a write touches: one
// search_path lookup, one assignment per synced column with the column
// references already rewritten to NEW."col" (no per-column locals), and
// the backfill marker. The new version's writes do a little more, each
// part its own block: a row the backfill has not reached gets `up` first,
// and a NULL where the new version declares NOT NULL is refused.
#pragma once

#include <string>
#include <vector>

#include "plan/plan.h"

namespace tandem::plan {

// A column the new version sees as NOT NULL before the table can say so:
// until complete a NOT VALID check stands in for it, and the trigger refuses
// the new version's NULL with the error of a real NOT NULL column.
struct RequiredColumn {
  std::string table;  // as the new version names them
  std::string column;
  std::string physical;  // column of the physical table
};

// `columns`: the table's physical columns once expand has added its own.
std::vector<std::string> CreateDualWriteTriggerSql(const Plan& plan, const TableSync& sync,
                                                   const std::vector<RequiredColumn>& required,
                                                   const std::vector<std::string>& columns);
// CREATE OR REPLACE FUNCTION of the table's dual-write function alone. A
// write counts as the new version's when the session's current schema is
// one of `new_version_schemas`: the version schema, plus the live schema
// while it points at the new version (the read switch replaces the
// function in the transaction that repoints the live schema).
std::string DualWriteFunctionSql(const Plan& plan, const TableSync& sync,
                                 const std::vector<RequiredColumn>& required,
                                 const std::vector<std::string>& new_version_schemas);
// The names of the triggers CreateDualWriteTriggerSql installs.
std::vector<std::string> DualWriteTriggerNames();
std::vector<std::string> DropDualWriteTriggerSql(const Plan& plan, const TableSync& sync);

}  // namespace tandem::plan
