// The planner turns a migration's operations into a Plan: the expand,
// complete and rollback steps, the dual-write triggers and the views of the
// new version, checked against a snapshot of the live schema.
//
// Errors are kInvalidInput and point at the file:line:column of the field
// that names the unknown table or column (or the duplicate name).
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "plan/catalog.h"
#include "plan/migration.h"
#include "plan/plan.h"

namespace tandem::plan {

struct PlanOptions {
  std::string schema = "public";
  std::string state_schema = "tandem";
  // Version schemas of earlier completed migrations of this schema; `complete`
  // drops them, since no application version uses them once this one is done.
  std::vector<std::string> previous_version_schemas;
};

Result<Plan> PlanMigration(const Migration& migration, const Catalog& catalog,
                           const PlanOptions& options);

}  // namespace tandem::plan
