// What `complete` retires of the old shape (plan.h, Retired), worked out
// once from the same two schemas the planners derive the contract switch
// from, so that both engines' plans describe it alike.
#pragma once

#include <vector>

#include "plan/catalog.h"
#include "plan/plan.h"
#include "plan/planner.h"
#include "plan/virtual_schema.h"

namespace tandem::plan {

// `before` is the live schema the plan starts from; `after` the schema the
// new version sees once every operation is planned. Tables and columns this
// migration creates retire nothing.
std::vector<Retired> RetiredBy(const Catalog& before, const VirtualSchema& after);

// Fills plan.retired and plan.retired_versions (the earlier migrations'
// version schemas, which complete drops).
void DescribeRetired(const Catalog& before, const VirtualSchema& after, const PlanOptions& options,
                     Plan& plan);

}  // namespace tandem::plan
