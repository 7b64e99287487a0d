#include "backfill/sqlite/write_turns.h"

#include <algorithm>
#include <thread>

#include "backends/number.h"
#include "backfill/sqlite/busy_poll.h"

namespace tandem::backfill {
namespace {

// kPollMargin covers a writer woken on a busy machine: a writer that
// always waited out the longest gap would waste a third of its time, one
// that took the lock again at once would starve the application.
constexpr Millis kPollMargin{2};
constexpr std::chrono::microseconds kDataVersionPoll{500};
// Well under the application's automatic checkpoint (1000 frames by
// default), so its commits never run one, and rarely enough that the
// checkpoint's two fsyncs are not paid after every chunk.
constexpr long long kCheckpointFrames = 500;

}  // namespace

WriteTurns::WriteTurns(backend::Connection& conn, Millis target)
    : conn_(conn), target_(target), nobody_waiting_at_(Clock::now()) {}

Status WriteTurns::Begin() {
  TANDEM_RETURN_IF_ERROR(conn_.Execute("PRAGMA synchronous = NORMAL"));
  TANDEM_RETURN_IF_ERROR(conn_.Execute("PRAGMA wal_autocheckpoint = 0"));
  nobody_waiting_at_ = Clock::now();
  return Status::Ok();
}

void WriteTurns::Finish() {
  (void)conn_.Execute("PRAGMA synchronous = FULL");
  (void)conn_.Execute("PRAGMA wal_autocheckpoint = 1000");
}

// A writer that got in during the last pause had tried again shortly
// before writer_got_in_after_ (from that chunk's start; its commit is what
// Yield saw). An application writing at a steady pace comes back after each
// commit and tries again at the same offset, so the chunk commits just
// before it.
Millis WriteTurns::ChunkTime() const {
  Millis aligned = writer_got_in_after_ - kPollMargin;
  if (aligned < target_ / 2 || aligned > target_ * 2) return target_;
  return aligned;
}

Status WriteTurns::NoteDataVersion() {
  TANDEM_ASSIGN_OR_RETURN(data_version_, DataVersion());
  return Status::Ok();
}

Status WriteTurns::Yield(Clock::time_point chunk_started) {
  auto released = Clock::now();
  writer_got_in_after_ = Millis(0);
  TANDEM_RETURN_IF_ERROR(CheckpointIfDue());
  // A writer still waiting began no earlier than nobody_waiting_at_.
  Millis gap = BusyPollGap(Since(nobody_waiting_at_)) + kPollMargin;
  for (;;) {
    TANDEM_ASSIGN_OR_RETURN(std::string version, DataVersion());
    if (version != data_version_) {
      writer_got_in_after_ = Since(chunk_started);
      break;
    }
    if (Since(released) >= gap) break;
    std::this_thread::sleep_for(kDataVersionPoll);
  }
  // Either a writer got in or a whole gap passed with the lock free. (Of
  // several writers waiting at once, those left behind may have waited
  // longer than this assumes; each commit still shows they get in.)
  nobody_waiting_at_ = Clock::now();
  return Status::Ok();
}

// Every few chunks, as many as make up kCheckpointFrames by the WAL's
// growth per chunk that the last checkpoint saw.
Status WriteTurns::CheckpointIfDue() {
  if (++chunks_since_checkpoint_ < chunks_per_checkpoint_) return Status::Ok();
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult done,
                          conn_.Query("PRAGMA wal_checkpoint(PASSIVE)", {}));
  long long frames = 0;
  if (!done.rows.empty()) {
    TANDEM_ASSIGN_OR_RETURN(frames, backend::ToInteger(done.rows[0].at(1), "the WAL's frames", 0));
  }
  long long per_chunk = std::max(1LL, frames / chunks_since_checkpoint_);
  // -1: the checkpoint could not start; try again after the next chunk.
  chunks_per_checkpoint_ =
      frames < 0 ? 1 : static_cast<int>(std::max(1LL, kCheckpointFrames / per_chunk));
  chunks_since_checkpoint_ = 0;
  return Status::Ok();
}

Result<std::string> WriteTurns::DataVersion() {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult version, conn_.Query("PRAGMA data_version", {}));
  return version.Scalar().value_or("");
}

Millis WriteTurns::Since(Clock::time_point t) {
  return std::chrono::duration_cast<Millis>(Clock::now() - t);
}

}  // namespace tandem::backfill
