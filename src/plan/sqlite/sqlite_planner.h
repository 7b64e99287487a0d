// The planner for SQLite: the same migration files and the same Plan shape
// as on PostgreSQL, with SQLite's SQL.
//
// SQLite has no schemas, so the new version reads and writes per-version
// views named `<table>__<version>` (SqliteViewName), whose INSTEAD OF
// triggers write the base table; the old version keeps using the base table.
// New columns are shadow columns `_tandem_new_<name>`; AFTER triggers on the
// base table keep them in sync for the old version's writes. What SQLite's
// ALTER TABLE cannot do (NOT NULL, type changes, dropping the replaced
// columns, defaults, adding or dropping constraints) happens at complete in
// one table rebuild (sqlite.org's 12-step procedure) inside the switch
// transaction.
#pragma once

#include <string>

#include "common/status.h"
#include "plan/catalog.h"
#include "plan/migration.h"
#include "plan/plan.h"
#include "plan/planner.h"

namespace tandem::plan::sqlite {

// The oldest SQLite tandem runs on: DROP COLUMN and RETURNING arrived in
// 3.35.0.
inline constexpr int kMinimumVersion = 3035000;

Result<Plan> PlanSqliteMigration(const Migration& migration, const Catalog& catalog,
                                 const PlanOptions& options);

// The view through which version `version` sees `table`.
std::string SqliteViewName(const std::string& table, const std::string& version);

// True when `plan`'s complete rebuilds `table` (copies it into a new table
// that takes its name). SQLite then carries no rename of a column through
// to the views and triggers that name it, as ALTER TABLE RENAME COLUMN does.
bool RebuildsTable(const Plan& plan, const std::string& table);

}  // namespace tandem::plan::sqlite
