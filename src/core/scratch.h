// A rehearsal's scratch copy of the database (`tandem rehearse`): where
// the rehearsal's runner works, and what removing it takes. SQLite copies
// the whole file with its online backup; PostgreSQL copies the affected
// tables' structure and rows into a scratch schema of the same database:
// generated columns keep their expressions (and compute their values
// there), and foreign keys between the copied tables point at the copies.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "plan/plan.h"

namespace tandem::core {

struct Scratch {
  std::unique_ptr<backend::Database> own;  // the copy's, where it is a database of its own
  backend::Database* database = nullptr;   // where the rehearsal runs
  std::string schema;                      // to migrate there
  std::string state_schema;                // the rehearsal's records there
  std::string file;                        // SQLite: the copy's path
  long long rows_copied = 0;               // of the affected tables
  // What the copy left out or changed, for the rehearsal's output: each
  // foreign key to a table outside the copy.
  std::vector<std::string> notes;
};

// What a scratch copy is made from.
struct ScratchRequest {
  backend::Database& database;
  backend::Connection& conn;      // on `database`
  const plan::Plan& plan;         // planned against the real schema
  std::optional<long long> rows;  // per table; all when unset
  std::string tag;                // unique per rehearsal: names the copy
};

// The tables the plan changes (synced or seen through a view), each once.
std::vector<std::string> AffectedTables(const plan::Plan& plan);

// Each engine's copy (Engine::MakeScratch, Engine::RemoveScratch).
Result<Scratch> MakePostgresScratch(const ScratchRequest& request);
Status RemovePostgresScratch(backend::Connection& conn, const Scratch& scratch);
Result<Scratch> MakeSqliteScratch(const ScratchRequest& request);
Status RemoveSqliteScratch(Scratch& scratch);

}  // namespace tandem::core
