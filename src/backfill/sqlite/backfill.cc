#include "backfill/sqlite/backfill.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <deque>
#include <thread>
#include <variant>

#include "backends/number.h"
#include "backfill/backoff.h"
#include "backfill/chunk_times.h"
#include "backfill/control_wait.h"
#include "backfill/sqlite/up_prefetch.h"
#include "backfill/sqlite/write_turns.h"
#include "common/strings.h"

namespace tandem::backfill {
namespace {

using Clock = std::chrono::steady_clock;

class SqliteTableBackfill {
 public:
  SqliteTableBackfill(backend::Connection& conn, const Connector& connect,
                      const plan::TableSync& sync, const Options& options)
      : conn_(conn),
        connect_(connect),
        sync_(sync),
        options_(options),
        turns_(conn, options.target_chunk_time) {
    std::string table = QuoteIdent(sync.table);
    std::string marker = QuoteIdent(plan::kWrittenByColumn);
    std::vector<std::string> set;
    std::vector<std::string> computed;
    for (size_t i = 0; i < sync.up.size(); ++i) {
      set.push_back(QuoteIdent(sync.up[i].target) + " = $" + std::to_string(i + 2));
      computed.push_back("(" + sync.up[i].expression + ")");
    }
    set.push_back(marker + " = " + plan::kWrittenByOld);
    // Stored only over a row nobody has written since it was computed
    // (backfill/sqlite/up_prefetch.h).
    store_ = "UPDATE " + table + " SET " + Join(set, ", ") + " WHERE rowid = $1 AND " + marker +
             " IS NULL";
    std::string unmarked = " WHERE rowid > $1 AND rowid <= $2 AND " + marker + " IS NULL";
    // The alias lets the plan's expressions (which read NEW."col") run as
    // they do in the dual-write trigger.
    queries_.compute = "SELECT rowid, " + Join(computed, ", ") + " FROM " + table + " AS new" +
                       unmarked + " ORDER BY rowid";
    queries_.batch_end = "SELECT max(rowid) FROM (SELECT rowid FROM " + table + unmarked +
                         " ORDER BY rowid LIMIT " + std::to_string(UpPrefetch::kBatchRows) + ")";
    queries_.first = "SELECT min(rowid) FROM " + table + unmarked;
  }

  Result<Progress> Run(const ProgressCallback& on_progress) {
    // The backfill's commits skip fsync and it checkpoints the WAL itself
    // (write_turns.h); a chunk lost to a power failure is done again.
    TANDEM_RETURN_IF_ERROR(turns_.Begin());
    auto walked = Walk(on_progress);
    turns_.Finish();
    return walked;
  }

 private:
  Result<Progress> Walk(const ProgressCallback& on_progress) {
    progress_.table = sync_.table;
    std::string table = QuoteIdent(sync_.table);
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult bounds,
                            conn_.Query("SELECT (SELECT min(rowid) FROM " + table + " WHERE " +
                                        QuoteIdent(plan::kWrittenByColumn) +
                                        " IS NULL), (SELECT max(rowid) FROM " + table + ")"));
    const backend::Row& row = bounds.rows.at(0);
    if (!row[0]) return progress_;  // every row is marked: nothing to do
    TANDEM_ASSIGN_OR_RETURN(long long first, backend::ToInteger(row[0], "the first rowid to fill"));
    TANDEM_ASSIGN_OR_RETURN(long long end, backend::ToInteger(row[1], "the last rowid", 0));
    covered_ = first - 1;
    TANDEM_RETURN_IF_ERROR(CountRows());
    // One reader per worker of --concurrency: they compute, this connection stores.
    TANDEM_ASSIGN_OR_RETURN(
        std::unique_ptr<UpPrefetch> prefetch,
        UpPrefetch::Start(connect_, options_.concurrency, queries_, covered_, end, options_));
    // Workers are the readers computing `up`.
    progress_.workers = progress_.max_workers = std::max(1, options_.concurrency);
    const long long scanned_before = progress_.rows_scanned;
    auto started = Clock::now();
    for (;;) {
      TANDEM_RETURN_IF_ERROR(WaitForControl(options_, sync_.table, progress_, on_progress));
      TANDEM_RETURN_IF_ERROR(Refill(*prefetch));
      if (pending_.empty()) {
        if (prefetch->Exhausted()) break;
        continue;
      }
      auto chunk_started = Clock::now();
      TANDEM_ASSIGN_OR_RETURN(ChunkDone done, ChunkWithRetries());
      TimeChunk(chunk_started);
      TANDEM_RETURN_IF_ERROR(turns_.Yield(chunk_started));
      if (options_.chunk_done) options_.chunk_done(done.rows);
      progress_.chunks += 1;
      progress_.batch_size = static_cast<int>(done.rows);
      Covered(done.upto, done.rows);
      progress_.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - started);
      EstimateRate(progress_, progress_.rows_scanned - scanned_before);
      if (on_progress) on_progress(progress_);
    }
    // Rows the application wrote meanwhile were skipped, and are done too.
    Covered(end, std::max(0LL, progress_.estimated_total - progress_.rows_scanned));
    return progress_;
  }

  // The rows to walk and those done before a restart (every row before
  // the first without a marker), counted rather than taken from the rowid
  // span, which one far rowid makes any number of times too large. Each
  // count(*) walks b-tree pages without decoding a row: a small fraction of
  // the walk that follows, which reads every row.
  Status CountRows() {
    std::string table = QuoteIdent(sync_.table);
    TANDEM_ASSIGN_OR_RETURN(
        backend::QueryResult counts,
        conn_.Query("SELECT (SELECT count(*) FROM " + table + "), (SELECT count(*) FROM " + table +
                    " WHERE rowid <= " + std::to_string(covered_) + ")"));
    backend::NumberReader read;
    progress_.estimated_total = read.Integer(counts.rows.at(0)[0], "the rows of " + sync_.table);
    progress_.rows_scanned = read.Integer(counts.rows.at(0)[1], "the rows done of " + sync_.table);
    return read.status();
  }

  void Covered(long long upto, long long rows) {
    progress_.rows_scanned += rows;
    covered_ = upto;
  }

  // Takes what the prefetch computed, waiting (without the write lock) for
  // about as many rows as a chunk stores in its time. An error once the
  // rows computed before it are stored.
  Status Refill(UpPrefetch& prefetch) {
    size_t wanted = static_cast<size_t>(
        std::clamp<double>(rows_per_ms_ * static_cast<double>(turns_.ChunkTime().count()),
                           UpPrefetch::kBatchRows, UpPrefetch::kBufferRows));
    if (PendingRows() >= wanted) return Status::Ok();
    prefetch.WaitFor(wanted - PendingRows(), turns_.ChunkTime());
    auto taken = prefetch.Take();
    if (!taken.ok()) {
      if (!pending_.empty()) return Status::Ok();
      return taken.status().WithContext("backfill of " + sync_.table +
                                        " failed while computing `up` (" + UpExpressions(sync_) +
                                        ")");
    }
    for (auto& batch : *taken) pending_.push_back(std::move(batch));
    return Status::Ok();
  }

  size_t PendingRows() const {
    size_t rows = 0;
    for (const auto& batch : pending_) rows += batch.rows.size();
    return rows - stored_in_front_;
  }

  static Millis Since(Clock::time_point t) {
    return std::chrono::duration_cast<Millis>(Clock::now() - t);
  }

  // What a chunk did, known once it commits.
  struct ChunkDone {
    long long upto = 0;          // the last rowid it covered
    long long rows = 0;          // computed rows it stored or found marked since
    long long updated = 0;       // rows it stored
    size_t batches = 0;          // pending_ batches it finished
    size_t stored_in_front = 0;  // of the batch it stopped in
  };

  // One write transaction that stores computed rows, in pending_'s order,
  // until they run out, options_.batch_size rows, or one more slice would
  // pass turns_.ChunkTime(). pending_ keeps the rows until the commit.
  Result<ChunkDone> Chunk() {
    TANDEM_RETURN_IF_ERROR(conn_.Execute("BEGIN IMMEDIATE"));
    // The chunk's time counts from when it holds the lock: a BEGIN that
    // waited for a writer must not leave it no time at all.
    auto started = Clock::now();
    auto done = StoreRows(started + turns_.ChunkTime());
    Status status = done.ok() ? conn_.Execute("COMMIT") : done.status();
    if (!status.ok()) {
      (void)conn_.Execute("ROLLBACK");
      return status;
    }
    auto took = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (took > 0) rows_per_ms_ = static_cast<double>(done->rows) / took;
    progress_.rows_updated += done->updated;
    for (size_t i = 0; i < done->batches; ++i) pending_.pop_front();
    stored_in_front_ = done->stored_in_front;
    return done;
  }

  // The chunk's work inside its transaction, in slices whose duration
  // tells whether another fits before `deadline` (the first always runs). PRAGMA data_version is
  // read under the lock, so that any later move of it is a commit of
  // another connection after this chunk (YieldToWriters).
  Result<ChunkDone> StoreRows(Clock::time_point deadline) {
    constexpr size_t kSliceRows = 256;
    ChunkDone done;
    done.upto = covered_;
    long long limit = options_.batch_size ? *options_.batch_size : LLONG_MAX;
    size_t offset = stored_in_front_;
    Clock::time_point now = Clock::now();
    Clock::duration last_slice{0};
    while (done.batches < pending_.size() && done.rows < limit &&
           (done.rows == 0 || now + last_slice < deadline)) {
      const ComputedBatch& batch = pending_[done.batches];
      size_t count = std::min(
          {kSliceRows, batch.rows.size() - offset, static_cast<size_t>(limit - done.rows)});
      TANDEM_ASSIGN_OR_RETURN(long long stored,
                              conn_.ExecuteForEachRow(store_, batch.rows, offset, count));
      done.updated += stored;
      done.rows += static_cast<long long>(count);
      offset += count;
      if (offset == batch.rows.size()) {
        done.upto = batch.upto;
        done.batches += 1;
        offset = 0;
      } else {
        done.upto = std::get<long long>(batch.rows[offset - 1].front());
      }
      last_slice = Clock::now() - now;
      now += last_slice;
    }
    done.stored_in_front = offset;
    TANDEM_RETURN_IF_ERROR(turns_.NoteDataVersion());
    return done;
  }

  Result<ChunkDone> ChunkWithRetries() {
    for (int attempt = 1;; ++attempt) {
      auto done = Chunk();
      if (done.ok()) return done;
      if (!done.status().retryable() || attempt >= options_.max_attempts) {
        return done.status().WithContext("backfill of " + sync_.table +
                                         " failed storing the rows after rowid " +
                                         std::to_string(covered_));
      }
      progress_.retries += 1;
      SleepBeforeRetry(options_, attempt);
    }
  }

  backend::Connection& conn_;
  const Connector& connect_;
  const plan::TableSync& sync_;
  const Options& options_;
  std::string store_;  // one row's values, by rowid
  UpQueries queries_;
  // Computed rows not stored yet; the first stored_in_front_ rows of the
  // front batch are.
  std::deque<ComputedBatch> pending_;
  size_t stored_in_front_ = 0;
  // The last rowid whose range is done.
  long long covered_ = 0;
  // Rows the last chunk stored per millisecond under the lock.
  double rows_per_ms_ = 0;
  Progress progress_;
  ChunkTimes chunk_times_;

  // The chunk's time (its write transaction) into the run's figures.
  void TimeChunk(Clock::time_point started) {
    chunk_times_.Add(std::chrono::duration_cast<Millis>(Clock::now() - started));
    progress_.chunk_p99 = chunk_times_.P99();
    progress_.chunk_max = chunk_times_.Max();
    progress_.chunk_mean_ms = chunk_times_.MeanMs();
  }
  WriteTurns turns_;
};

}  // namespace

Result<Progress> BackfillSqliteTable(backend::Connection& conn, const Connector& connect,
                                     const plan::TableSync& sync, const Options& options,
                                     const ProgressCallback& on_progress) {
  SqliteTableBackfill backfill(conn, connect, sync, options);
  return backfill.Run(on_progress);
}

}  // namespace tandem::backfill
