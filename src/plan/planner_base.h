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
