// Which tables the new version can use in place of their view: those the
// migration changes only by adding columns SQLite adds under their real
// names. SQLite reports the row id, the change count and RETURNING only
// for a statement on a table, never for one an INSTEAD OF trigger of a
// view runs, so every table that needs no view is one whose inserts give
// the application its ids.
#include "common/overloaded.h"
#include "common/strings.h"
#include "plan/sqlite/sqlite_planner_internal.h"

namespace tandem::plan::sqlite {
namespace {

// True for a column ALTER TABLE ADD COLUMN gives its final shape, under
// its name, with no rebuild at complete, and whose `up` (if any) the
// dual-write can apply to exactly the rows the old version writes: those
// that leave it NULL. A default would hide that, so a column with both
// keeps its shadow.
bool AddsUnderRealName(const AddColumn& body) {
  const ColumnDef& c = body.column;
  if (c.unique || c.pk || c.check || c.references || c.generated) return false;
  if (!c.default_value.IsSet()) return c.nullable;
  if (!IsConstantDefault(c.default_value.value) || !body.up.empty()) return false;
  // ADD COLUMN refuses NOT NULL with a NULL default.
  return c.nullable || ToLower(Trim(c.default_value.value)) != "null";
}

}  // namespace

std::set<std::string> TablesNeedingAView(const Migration& migration) {
  std::set<std::string> need;
  for (const auto& op : migration.operations) {
    std::visit(Overloaded{
                   [&](const CreateTable&) {},
                   [&](const CreateIndex&) {},
                   [&](const DropIndex&) {},
                   [&](const RawSql&) {},
                   [&](const AddColumn& b) {
                     if (!AddsUnderRealName(b)) need.insert(b.table);
                   },
                   [&](const RenameTable& b) {
                     need.insert(b.from);
                     need.insert(b.to);
                   },
                   [&](const DropTable& b) { need.insert(b.name); },
                   [&](const auto& b) { need.insert(b.table); },
               },
               op.body);
  }
  return need;
}

bool SqlitePlanner::UsesTableItself(const std::string& physical) const {
  return needs_view_.count(physical) == 0;
}

std::string SqlitePlanner::AccessOf(const std::string& name, const std::string& physical) const {
  std::string view = SqliteViewName(name, plan_.version_schema);
  if (!UsesTableItself(physical)) {
    return "the new version uses the view " + view + " (an INSERT through it reports no row id)";
  }
  return "the new version uses the table " + name +
         " itself, so inserts report their row ids (the view " + view +
         " works too, but an INSERT through it reports none)";
}

}  // namespace tandem::plan::sqlite
