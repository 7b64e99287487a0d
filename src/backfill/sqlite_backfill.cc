#include "backfill/sqlite_backfill.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "backfill/busy_poll.h"
#include "backfill/chunk_sizer.h"
#include "backfill/control_wait.h"
#include "common/strings.h"

namespace tandem::backfill {
namespace {

using Clock = std::chrono::steady_clock;

// Between chunks the write lock stays free until another connection
// commits (a waiting writer got in) or until any writer that may be waiting
// has had a try: SQLite's busy handler polls instead of queueing
// (busy_poll.h), so a backfill that took the lock again at once would
// starve it, and one that always waited out the longest gap would waste a
// third of its time. kPollMargin covers a writer woken on a busy machine.
constexpr Millis kPollMargin{2};
// A chunk is a few statements, so that it can commit right before the
// moment the waiting writer is expected to try again (ChunkTime) instead of
// whenever its rows happen to be done.
constexpr int kStatementsPerChunk = 4;
constexpr std::chrono::microseconds kDataVersionPoll{500};
// The backfill checkpoints the WAL once it holds about this many frames:
// well under the application's automatic checkpoint (1000 by default), so
// its commits never run one, and rarely enough that the checkpoint's two
// fsyncs are not paid after every chunk.
constexpr long long kCheckpointFrames = 500;

// The options a chunk's statements are sized by.
Options StatementOptions(const Options& options) {
  Options statements = options;
  statements.target_chunk_time = options.target_chunk_time / kStatementsPerChunk;
  return statements;
}

long long Number(const backend::Value& v) { return v ? std::stoll(*v) : 0; }

class SqliteTableBackfill {
 public:
  SqliteTableBackfill(backend::Connection& conn, const plan::TableSync& sync,
                      const Options& options)
      : conn_(conn),
        sync_(sync),
        options_(options),
        statement_options_(StatementOptions(options)),
        statement_sizer_(statement_options_) {
    std::vector<std::string> set;
    for (const auto& c : sync.up) set.push_back(QuoteIdent(c.target) + " = (" + c.expression + ")");
    std::string marker = QuoteIdent(plan::kWrittenByColumn);
    set.push_back(marker + " = " + plan::kWrittenByOld);
    // The alias lets the plan's expressions (which read NEW."col") run as
    // they do in the dual-write trigger.
    update_ = "UPDATE " + QuoteIdent(sync.table) + " AS new SET " + Join(set, ", ") +
              " WHERE rowid > $1 AND rowid <= $2 AND " + marker + " IS NULL";
  }

  Result<Progress> Run(const ProgressCallback& on_progress) {
    // A chunk lost to a power failure is simply done again (its markers are
    // lost with it), so the backfill's commits need not wait for fsync; WAL
    // with synchronous = NORMAL still survives a crash of any process. The
    // backfill checkpoints the WAL itself while the lock is free (see
    // YieldToWriters), so the WAL stays short and the application's commits
    // do not stall on a long automatic checkpoint.
    TANDEM_RETURN_IF_ERROR(conn_.Execute("PRAGMA synchronous = NORMAL"));
    TANDEM_RETURN_IF_ERROR(conn_.Execute("PRAGMA wal_autocheckpoint = 0"));
    auto walked = Walk(on_progress);
    // The connection goes on to write tandem's state, which must be durable.
    (void)conn_.Execute("PRAGMA synchronous = FULL");
    (void)conn_.Execute("PRAGMA wal_autocheckpoint = 1000");
    return walked;
  }

 private:
  Result<Progress> Walk(const ProgressCallback& on_progress) {
    progress_.table = sync_.table;
    std::string table = QuoteIdent(sync_.table);
    TANDEM_ASSIGN_OR_RETURN(
        backend::QueryResult bounds,
        conn_.Query("SELECT (SELECT min(rowid) FROM " + table + " WHERE " +
                    QuoteIdent(plan::kWrittenByColumn) + " IS NULL), (SELECT max(rowid) FROM " +
                    table + "), (SELECT min(rowid) FROM " + table + ")"));
    const backend::Row& row = bounds.rows.at(0);
    if (!row[0]) return progress_;  // every row is marked: nothing to do
    long long last = Number(row[0]) - 1;
    long long end = Number(row[1]);
    progress_.estimated_total = end - Number(row[2]) + 1;
    progress_.rows_scanned = last - Number(row[2]) + 1;  // done before a restart
    auto started = Clock::now();
    nobody_waiting_at_ = started;
    while (last < end) {
      TANDEM_RETURN_IF_ERROR(WaitForControl(options_, sync_.table, progress_, on_progress));
      long long limit = options_.batch_size ? std::min(end, last + *options_.batch_size) : end;
      auto chunk_started = Clock::now();
      TANDEM_ASSIGN_OR_RETURN(long long upper, ChunkWithRetries(last, limit));
      TANDEM_RETURN_IF_ERROR(YieldToWriters(chunk_started));
      progress_.rows_scanned += upper - last;
      if (options_.chunk_done) options_.chunk_done(upper - last);
      progress_.chunks += 1;
      progress_.batch_size = static_cast<int>(upper - last);
      last = upper;
      progress_.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - started);
      if (on_progress) on_progress(progress_);
    }
    return progress_;
  }

  // Leaves the write lock free until a writer got in or none can be left
  // waiting (see kPollMargin), checkpointing the WAL meanwhile.
  Status YieldToWriters(Clock::time_point chunk_started) {
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

  // How long the next chunk may hold the lock. A writer that got in during
  // the last pause had tried again shortly before writer_got_in_after_
  // (from that chunk's start; its commit is what the backfill saw). An
  // application writing at a steady pace comes back after each commit and
  // tries again at the same offset, so the chunk commits just before it,
  // within a factor of two of the target.
  Millis ChunkTime() const {
    Millis target = options_.target_chunk_time;
    Millis aligned = writer_got_in_after_ - kPollMargin;
    if (aligned < target / 2 || aligned > target * 2) return target;
    return aligned;
  }

  // Checkpoints every few chunks, as many as make up kCheckpointFrames by
  // the WAL's growth per chunk that the last checkpoint saw.
  Status CheckpointIfDue() {
    if (++chunks_since_checkpoint_ < chunks_per_checkpoint_) return Status::Ok();
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult done,
                            conn_.Query("PRAGMA wal_checkpoint(PASSIVE)", {}));
    long long frames = done.rows.empty() ? 0 : Number(done.rows[0].at(1));
    long long per_chunk = std::max(1LL, frames / chunks_since_checkpoint_);
    // -1: the checkpoint could not start; try again after the next chunk.
    chunks_per_checkpoint_ =
        frames < 0 ? 1 : static_cast<int>(std::max(1LL, kCheckpointFrames / per_chunk));
    chunks_since_checkpoint_ = 0;
    return Status::Ok();
  }

  // Moves whenever another connection commits.
  Result<std::string> DataVersion() {
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult version, conn_.Query("PRAGMA data_version", {}));
    return version.Scalar().value_or("");
  }

  static Millis Since(Clock::time_point t) {
    return std::chrono::duration_cast<Millis>(Clock::now() - t);
  }

  // What a chunk did, known once it commits.
  struct ChunkDone {
    long long upto = 0;  // the last rowid it covered (on failure, of the failed statement)
    long long updated = 0;
    std::string data_version;
  };

  // One write transaction over rowids after..limit: statements of the
  // sizer's size until `limit` or until one more would pass ChunkTime().
  Status Chunk(long long after, long long limit, ChunkDone& done) {
    auto deadline = Clock::now() + ChunkTime();
    done = {after, 0, ""};
    TANDEM_RETURN_IF_ERROR(conn_.Execute("BEGIN IMMEDIATE"));
    Status status = WriteChunk(after, limit, deadline, done);
    if (status.ok()) status = conn_.Execute("COMMIT");
    if (!status.ok()) {
      (void)conn_.Execute("ROLLBACK");
      return status;
    }
    progress_.rows_updated += done.updated;
    data_version_ = done.data_version;
    return status;
  }

  // The chunk's work inside its transaction. PRAGMA data_version is read
  // under the lock, so that any later move of it is a commit of another
  // connection after this chunk (YieldToWriters).
  Status WriteChunk(long long after, long long limit, Clock::time_point deadline, ChunkDone& done) {
    Clock::time_point now = Clock::now();
    Clock::duration last_statement{0};
    while (done.upto < limit && now + last_statement < deadline) {
      long long from = done.upto;
      done.upto = std::min(limit, from + statement_sizer_.size());
      TANDEM_ASSIGN_OR_RETURN(
          backend::QueryResult updated,
          conn_.Query(update_, {std::to_string(from), std::to_string(done.upto)}));
      done.updated += updated.affected;
      last_statement = Clock::now() - now;
      now += last_statement;
      statement_sizer_.Observe(std::chrono::duration_cast<Millis>(last_statement));
    }
    TANDEM_ASSIGN_OR_RETURN(done.data_version, DataVersion());
    return Status::Ok();
  }

  // Returns the last rowid the committed chunk covered.
  Result<long long> ChunkWithRetries(long long after, long long limit) {
    static thread_local std::mt19937 random{std::random_device{}()};
    for (int attempt = 1;; ++attempt) {
      ChunkDone done;
      Status status = Chunk(after, limit, done);
      if (status.ok()) return done.upto;
      if (!status.retryable() || attempt >= options_.max_attempts) {
        return status.WithContext("backfill of " + sync_.table + " failed in the chunk of rowids " +
                                  std::to_string(after + 1) + ".." + std::to_string(done.upto) +
                                  " (`up`: " + UpExpressions() +
                                  "); the rows done so far are kept. Fix the cause and run "
                                  "`tandem backfill` to continue");
      }
      progress_.retries += 1;
      long long ceiling = options_.backoff_base.count() << std::min(attempt, 10);
      std::uniform_int_distribution<long long> pick(ceiling / 2, ceiling);
      std::this_thread::sleep_for(Millis(pick(random)));
    }
  }

  std::string UpExpressions() const {
    std::vector<std::string> parts;
    for (const auto& c : sync_.up) parts.push_back(c.expression);
    return Join(parts, "; ");
  }

  backend::Connection& conn_;
  const plan::TableSync& sync_;
  const Options& options_;
  // Statements are sized to a part of the target chunk time.
  const Options statement_options_;
  ChunkSizer statement_sizer_;
  // How long after the last chunk began a writer got in; 0: none did.
  Millis writer_got_in_after_{0};
  std::string update_;
  Progress progress_;
  // PRAGMA data_version as the last chunk left it.
  std::string data_version_;
  int chunks_since_checkpoint_ = 0;
  int chunks_per_checkpoint_ = 1;
  // When the backfill last knew that no writer was waiting for the lock.
  Clock::time_point nobody_waiting_at_;
};

}  // namespace

Result<Progress> BackfillSqliteTable(backend::Connection& conn, const plan::TableSync& sync,
                                     const Options& options, const ProgressCallback& on_progress) {
  SqliteTableBackfill backfill(conn, sync, options);
  return backfill.Run(on_progress);
}

}  // namespace tandem::backfill
