#include "backfill/postgres/index_rebuild.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace tandem::backfill {
namespace {

// A rebuild waits for the transactions older than it (twice) and queues
// for a SHARE UPDATE EXCLUSIVE lock, which no read or write of the
// application conflicts with; so it may wait long, but not forever behind
// a session left idle in a transaction. A big index takes long to build:
// no statement timeout (a role's or database's would cancel it each time).
constexpr char kRebuildTimeouts[] = "SET lock_timeout = '5min'; SET statement_timeout = 0";
constexpr char kResetTimeouts[] = "RESET lock_timeout; RESET statement_timeout";

std::string Megabytes(const backend::Value& bytes) {
  return fmt::format("{:.1f} MB", std::stod(bytes.value_or("0")) / (1024.0 * 1024.0));
}

void DropLeftovers(backend::Connection& conn, const PgStatements& statements,
                   const std::string& index) {
  Statement s = statements.LeftoverRebuilds(index);
  auto leftovers = conn.Query(s.sql, s.params);
  if (!leftovers.ok()) return;
  for (const auto& row : leftovers->rows) {
    const std::string& name = row[0].value();
    Status dropped = conn.Execute(statements.DropIndex(name));
    if (dropped.ok()) {
      spdlog::info("dropped {}, left behind by a cancelled rebuild of {}", name, index);
    } else {
      spdlog::warn("could not drop {}, left behind by a cancelled rebuild of {}: {}", name, index,
                   dropped.message());
    }
  }
}

}  // namespace

Status RecordIndexSizes(backend::Connection& conn, const PgStatements& statements) {
  Statement s = statements.RecordIndexSizes();
  return conn.Query(s.sql, s.params).status();
}

void RebuildGrownIndexes(backend::Connection& conn, const PgStatements& statements,
                         const RebuildHooks& hooks) {
  Statement s = statements.GrownIndexes(kRebuildGrowth);
  auto grown = conn.Query(s.sql, s.params);
  if (!grown.ok()) {
    spdlog::warn("could not compare the indexes of {} with their sizes at the start: {}",
                 statements.qualified_table(), grown.status().message());
    return;
  }
  if (grown->rows.empty()) return;
  if (Status set = conn.Execute(kRebuildTimeouts); !set.ok()) {
    spdlog::warn("indexes of {} not rebuilt: {}", statements.qualified_table(), set.message());
    return;
  }
  for (const auto& row : grown->rows) {
    const std::string& index = row[0].value();
    if (hooks.may_go && !hooks.may_go()) {
      spdlog::warn(
          "index {} grew to {} in the backfill and is not rebuilt (stopped); to rebuild "
          "it run: {}",
          index, Megabytes(row[2]), statements.Reindex(index));
      continue;
    }
    if (hooks.on_rebuild) hooks.on_rebuild(index);
    spdlog::info("rebuilding index {} concurrently: {} now, {} when the backfill started", index,
                 Megabytes(row[2]), Megabytes(row[1]));
    DropLeftovers(conn, statements, index);
    auto started = std::chrono::steady_clock::now();
    Status rebuilt = conn.Execute(statements.Reindex(index));
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (rebuilt.ok()) {
      spdlog::info("rebuilt index {} in {} ms", index, took.count());
      continue;
    }
    spdlog::warn(
        "rebuilding index {} failed: {}. The backfill is done; to rebuild it later run: {}", index,
        rebuilt.message(), statements.Reindex(index));
    DropLeftovers(conn, statements, index);
  }
  (void)conn.Execute(kResetTimeouts);
}

}  // namespace tandem::backfill
