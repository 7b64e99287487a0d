// SQLite's backfill keeps no checkpoints (it resumes at the first row
// without a marker), so its per-table progress is kept for `tandem status`,
// /api/v1/status and the command center in the state table
// <state>_backfill_progress: one row per table of a migration.
//
// Writing it must never hold the application's writers back: a write
// happens at most once a second, on a session of its own that does not wait
// for the write lock (a write that finds the lock taken is skipped; the next
// one, a second later, says more), outside the backfill's chunks. The last
// write, when the table ends, may wait briefly so the final state is kept.
//
// Not thread-safe: called from the backfill's progress callback.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backfill/types.h"

namespace tandem::core {

class SqliteProgressLog {
 public:
  SqliteProgressLog(backfill::Connector connect, backfill::CheckpointStore where,
                    std::chrono::milliseconds every = std::chrono::seconds(1));
  // Keeps `p` as "running" when `every` passed since the last write.
  void Report(const backfill::Progress& p);
  // Keeps `p` with its final state: "done", "stopped" or "failed".
  void Finish(const backfill::Progress& p, const std::string& state);

 private:
  // Writes within `wait` for the write lock; false when it could not.
  bool Write(const backfill::Progress& p, const std::string& state, std::chrono::milliseconds wait);

  backfill::Connector connect_;
  backfill::CheckpointStore where_;
  std::chrono::milliseconds every_;
  std::unique_ptr<backend::Connection> conn_;
  std::chrono::steady_clock::time_point written_at_{};
  bool written_ = false;
};

// The rows kept for migration `where.migration_id`, as Progress; a
// "running" row not written for a while (its runner died) reads as "not
// running". None where the table does not exist yet.
Result<std::vector<backfill::Progress>> ReadSqliteProgress(backend::Connection& conn,
                                                           const backfill::CheckpointStore& where);

}  // namespace tandem::core
