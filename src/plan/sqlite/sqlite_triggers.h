// The triggers that let two versions write one SQLite table.
//
// Base table (old version): AFTER INSERT / AFTER UPDATE triggers set the
// shadow columns to `up` and the marker to 'o' with an UPDATE by rowid
// (SQLite triggers cannot assign NEW). The update trigger fires only for
// UPDATE OF the old version's columns that `up` or `down` read or `down`
// sets, so an update of any other column costs nothing. That also guards
// against recursion without relying on recursive_triggers being off: the
// trigger's own UPDATE (and the backfill's) never sets those columns, and
// its WHEN clause skips rows already in sync.
//
// Version view (new version): INSTEAD OF triggers write the base table,
// computing the old columns with `down`. An update through the view first
// sets the marker to the transient 'N', which the base table's update
// trigger ignores, then to 'n'. An update of a row the backfill has not
// reached first stores `up` of the row in the new columns, so the columns
// the statement leaves as they were hold `up`, as after the backfill.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "plan/plan.h"

namespace tandem::plan::sqlite {

// How a view's writes map to its table.
struct ViewWrites {
  std::string view;
  std::string name;   // the table, as the new version names it
  std::string table;  // physical
  std::vector<std::pair<std::string, std::string>> columns;  // view name, physical
  std::map<std::string, std::string> defaults;               // physical -> default SQL
  std::set<std::string> required;                            // physical, must not be NULL
  std::vector<std::string> key;                              // physical key columns
  // Constraints SQLite cannot add to the table yet: (message, SQL over
  // NEW."physical" that is true for a row to refuse).
  std::vector<std::pair<std::string, std::string>> guards;
  const TableSync* sync = nullptr;  // null: no dual-write
};

// `old_columns`: the columns the old version writes (the table's original
// columns). Without any that the sync reads or sets, no update trigger.
std::vector<std::string> CreateBaseTriggerSql(const TableSync& sync,
                                              const std::vector<std::string>& old_columns);
// The dual-write of a table that both versions write themselves (the
// migration only added its columns, under their real names), where no
// trigger can tell which version wrote. The new version is the one that
// sets a new column: an INSERT fills each new column it leaves NULL with
// `up` (all of them NULL: the old version, marker 'o'; else 'n'); an
// UPDATE that changes a new column marks the row 'n' (on a row the
// backfill has not reached, first filling the new columns left NULL with
// `up`); an UPDATE of a column `up` reads that changes no new column runs
// `up` again, unless the new version wrote the row ('n'): a value the new
// version set is kept.
std::vector<std::string> CreateInPlaceTriggerSql(const TableSync& sync,
                                                 const std::vector<std::string>& old_columns);
// Drops what either of the Create*TriggerSql above installed.
std::vector<std::string> DropBaseTriggerSql(const TableSync& sync);
// CREATE VIEW plus its INSTEAD OF triggers (UPDATE and DELETE only with a key).
std::vector<std::string> CreateViewSql(const ViewWrites& view);

}  // namespace tandem::plan::sqlite
