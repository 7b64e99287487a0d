// Taking turns at SQLite's write lock with the application: what every
// chunked writer of tandem on SQLite does between its short transactions
// (the backfill, the online table rebuild's copy and drain).
//
// SQLite's busy handler polls rather than queues (busy_poll.h), so after
// each chunk the lock stays free until another connection commits (PRAGMA
// data_version moves: a waiting writer got in) or until any writer that may
// be waiting has had its next try; and the next chunk aims to commit just
// before a writer with a steady pace tries again. The WAL is checkpointed
// here, off the lock, every ~kCheckpointFrames frames, so the application's
// commits never run a long automatic checkpoint.
//
// Not thread-safe: one per writing connection.
#pragma once

#include <chrono>
#include <string>

#include "backends/backend.h"

namespace tandem::backfill {

class WriteTurns {
 public:
  using Clock = std::chrono::steady_clock;

  // `conn` is the chunked writer's connection; chunks aim at `target`.
  WriteTurns(backend::Connection& conn, Millis target);

  // Sets the connection up for many small commits (synchronous = NORMAL,
  // no automatic checkpoint: a chunk lost to a power failure is done again)
  // and, by Finish(), back to durable commits for tandem's own state.
  Status Begin();
  void Finish();

  // How long the next chunk may hold the lock: aligned with the last writer
  // that got in, within a factor of two of the target.
  Millis ChunkTime() const;
  // Read inside a chunk's transaction, just before its COMMIT: any later
  // move is another connection's commit.
  Status NoteDataVersion();
  // After a chunk (begun at `chunk_started`) committed: leaves the lock free
  // until a writer got in or none can be left waiting, checkpointing the
  // WAL meanwhile.
  Status Yield(Clock::time_point chunk_started);

 private:
  Result<std::string> DataVersion();
  Status CheckpointIfDue();
  static Millis Since(Clock::time_point t);

  backend::Connection& conn_;
  const Millis target_;
  // How long after the last chunk began a writer got in; 0: none did.
  Millis writer_got_in_after_{0};
  // PRAGMA data_version as the last chunk left it.
  std::string data_version_;
  int chunks_since_checkpoint_ = 0;
  int chunks_per_checkpoint_ = 1;
  // When the writer last knew that no other writer was waiting for the lock.
  Clock::time_point nobody_waiting_at_;
};

}  // namespace tandem::backfill
