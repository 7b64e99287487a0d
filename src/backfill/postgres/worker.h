// One backfill worker: its own connection, its own chunk sizer, taking
// ranges from the coordinator and walking each chunk by chunk until it is
// done, the worker is set aside (throttling), or the run stops.
//
// Retryable errors (lock timeouts, serialization failures, deadlocks,
// statement timeouts) are retried with jittered exponential backoff; a lost
// connection is reopened and the range re-read from its checkpoint, since
// the chunk in flight may or may not have committed. A data error in `up`
// is narrowed down to the failing row.
#pragma once

#include <memory>

#include "backfill/chunk_sizer.h"
#include "backfill/coordinator.h"
#include "backfill/postgres/statements.h"

namespace tandem::backfill {

class Worker {
 public:
  Worker(const Connector& connect, const PgStatements& statements, const Options& options,
         Coordinator& coordinator, const std::string& up_expressions);

  // Works until no range is left or the run stops; errors go to the
  // coordinator.
  void Run();

 private:
  // What one chunk did.
  struct Outcome {
    long long scanned = 0;
    long long updated = 0;
  };

  Status Connect();
  Status Walk(KeyRange& range);
  Result<Outcome> Chunk(KeyRange& range, int size);
  Result<Outcome> ChunkWithRetries(KeyRange& range);
  // Re-reads `range` from its checkpoint, as committed.
  Status Reload(KeyRange& range);
  Result<Outcome> PinDownFailingRow(KeyRange& range);
  void MaybeVacuum();
  // Gives the upper half of what is left of `range` to an idle worker.
  Status SplitOff(KeyRange& range);
  Result<Key> SplitPoint(const KeyRange& range, long long left);
  Status Failed(const KeyRange& range, const Status& error) const;

  const Connector& connect_;
  const PgStatements& statements_;
  const Options& options_;
  Coordinator& coordinator_;
  const std::string& up_expressions_;
  ChunkSizer sizer_;
  std::unique_ptr<backend::Connection> conn_;
};

}  // namespace tandem::backfill
