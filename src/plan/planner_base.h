// What every planner (PostgreSQL, SQLite) keeps and does the same way: the
// migration, the live catalog, the schema as the migration sees it so far,
// the plan being built, and errors that point at the operation's field.
#pragma once

#include <string>

#include "common/status.h"
#include "plan/catalog.h"
#include "plan/migration.h"
#include "plan/plan.h"
#include "plan/planner.h"
#include "plan/virtual_schema.h"

namespace tandem::plan {

class PlannerBase {
 protected:
  PlannerBase(const Migration& migration, const Catalog& catalog, const PlanOptions& options);
  virtual ~PlannerBase() = default;

  // How each engine writes `up` (over the old version's columns) and `down`
  // (over the new version's) into its triggers, and where it keeps a
  // table's sync.
  virtual Result<std::string> UpExpression(const Operation& op, const std::string& field,
                                           const VirtualTable& table,
                                           const std::string& expression) = 0;
  virtual Result<std::string> DownExpression(const Operation& op, const std::string& field,
                                             const VirtualTable& table,
                                             const std::string& expression) = 0;
  virtual TableSync& SyncFor(const VirtualTable& table) = 0;

  // Points `column` at its new shadow column of `type` and adds the pair to
  // the table's sync: `up` ("" for the column as it is) fills the shadow,
  // `down` ("" for the column under its new name) maps writes of the new
  // version back. `up` is resolved before the switch, `down` after it.
  // Returns the original physical column.
  Result<std::string> SyncThroughShadow(const Operation& op, VirtualTable& table,
                                        VirtualColumn& column, const std::string& shadow,
                                        const std::string& type, const std::string& up,
                                        const std::string& down);

  // "FILE:LINE:COL: operations[i].kind.field" of the operation being planned.
  std::string Where(const Operation& op, const std::string& field) const;
  Status ErrorAt(const Operation& op, const std::string& field, const std::string& message) const;
  Result<VirtualColumn*> RequireColumn(const Operation& op, const std::string& field,
                                       VirtualTable& table, const std::string& column);

  const Migration& migration_;
  const Catalog& catalog_;
  PlanOptions options_;
  VirtualSchema virtual_schema_;
  Plan plan_;
  int op_index_ = 0;
};

}  // namespace tandem::plan
