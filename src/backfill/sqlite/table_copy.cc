#include "backfill/sqlite/table_copy.h"

#include <algorithm>
#include <chrono>

#include "backends/number.h"
#include "backfill/backoff.h"
#include "backfill/control_wait.h"
#include "backfill/sqlite/write_turns.h"
#include "common/strings.h"

namespace tandem::backfill {
namespace {

using Clock = std::chrono::steady_clock;

// SQLite's primary result code for a constraint violation (SQLITE_CONSTRAINT).
constexpr int kSqliteConstraint = 19;
// How many offending rows an error names.
constexpr size_t kRowsNamed = 5;

bool IsConstraintError(const Status& status) {
  const std::string& code = status.native_code();
  if (code.empty() || code.find_first_not_of("0123456789") != std::string::npos) return false;
  return (std::stoi(code) & 0xff) == kSqliteConstraint;
}

// A loop of short write transactions, each doing `work` (given the rows it
// should aim at, returning those it did; 0 ends the loop), with the
// backfill's pacing, control and retries.
class ChunkedWrites {
 public:
  using Work = std::function<Result<long long>(long long rows)>;

  ChunkedWrites(backend::Connection& conn, const Options& options, Progress& progress)
      : conn_(conn),
        options_(options),
        progress_(progress),
        turns_(conn, options.target_chunk_time) {}

  Status Run(const Work& work, const ProgressCallback& on_progress) {
    TANDEM_RETURN_IF_ERROR(turns_.Begin());
    Status status = Loop(work, on_progress);
    turns_.Finish();
    return status;
  }

  // One transaction of `statements`, retried like a chunk.
  Status Once(const std::vector<std::string>& statements) {
    return WithRetries([&]() -> Result<long long> {
             for (const auto& s : statements) TANDEM_RETURN_IF_ERROR(conn_.Execute(s));
             return 0;
           })
        .status();
  }

 private:
  Status Loop(const Work& work, const ProgressCallback& on_progress) {
    auto started = Clock::now();
    const long long before = progress_.rows_scanned;
    long long rows = options_.batch_size ? *options_.batch_size : options_.first_batch;
    for (;;) {
      TANDEM_RETURN_IF_ERROR(WaitForControl(options_, progress_.table, progress_, on_progress));
      auto chunk_started = Clock::now();
      TANDEM_ASSIGN_OR_RETURN(long long done, WithRetries([&] { return work(rows); }));
      auto took = std::chrono::duration<double, std::milli>(Clock::now() - chunk_started).count();
      if (done == 0) break;
      TANDEM_RETURN_IF_ERROR(turns_.Yield(chunk_started));
      if (options_.chunk_done) options_.chunk_done(done);
      if (!options_.batch_size && took > 0) {
        double per_ms = static_cast<double>(done) / took;
        rows = std::clamp<long long>(
            static_cast<long long>(per_ms * static_cast<double>(turns_.ChunkTime().count())),
            options_.min_batch, options_.max_batch);
      }
      progress_.chunks += 1;
      progress_.batch_size = static_cast<int>(done);
      progress_.rows_scanned += done;
      progress_.rows_updated += done;
      progress_.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - started);
      EstimateRate(progress_, progress_.rows_scanned - before);
      if (on_progress) on_progress(progress_);
    }
    progress_.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - started);
    return Status::Ok();
  }

  // `work` inside BEGIN IMMEDIATE ... COMMIT, again on a retryable error.
  Result<long long> WithRetries(const std::function<Result<long long>()>& work) {
    for (int attempt = 1;; ++attempt) {
      auto done = InTransaction(work);
      if (done.ok() || !done.status().retryable() || attempt >= options_.max_attempts) return done;
      progress_.retries += 1;
      SleepBeforeRetry(options_, attempt);
    }
  }

  Result<long long> InTransaction(const std::function<Result<long long>()>& work) {
    TANDEM_RETURN_IF_ERROR(conn_.Execute("BEGIN IMMEDIATE"));
    auto done = work();
    Status status = done.ok() ? turns_.NoteDataVersion() : done.status();
    if (status.ok()) status = conn_.Execute("COMMIT");
    if (!status.ok()) {
      (void)conn_.Execute("ROLLBACK");
      return status;
    }
    return done;
  }

  backend::Connection& conn_;
  const Options& options_;
  Progress& progress_;
  WriteTurns turns_;
};

Result<long long> ToRowid(const backend::Value& value, const std::string& what) {
  return backend::ToInteger(value, what);
}

class TableCopier {
 public:
  TableCopier(backend::Connection& conn, const plan::TableCopy& copy, const Options& options)
      : conn_(conn), copy_(copy), options_(options), writes_(conn, options, progress_) {}

  Result<Progress> Run(const ProgressCallback& on_progress) {
    progress_.table = copy_.source;
    TANDEM_RETURN_IF_ERROR(writes_.Once(copy_.prepare));
    // Every row after `end` was inserted after the triggers were: they
    // copied it.
    std::string live = QuoteIdent(copy_.source);
    TANDEM_ASSIGN_OR_RETURN(
        backend::QueryResult bounds,
        conn_.Query("SELECT (SELECT min(rowid) FROM " + live + "), (SELECT max(rowid) FROM " +
                    live + "), (SELECT count(*) FROM " + live + ")"));
    const backend::Row& row = bounds.rows.at(0);
    if (!row[0]) return progress_;
    TANDEM_ASSIGN_OR_RETURN(covered_, ToRowid(row[0], "the first rowid of " + copy_.source));
    covered_ -= 1;
    TANDEM_ASSIGN_OR_RETURN(end_, ToRowid(row[1], "the last rowid of " + copy_.source));
    TANDEM_ASSIGN_OR_RETURN(progress_.estimated_total,
                            ToRowid(row[2], "the rows of " + copy_.source));
    Status copied = writes_.Run([this](long long rows) { return Chunk(rows); }, on_progress);
    if (copied.ok()) {
      progress_.done = true;
      return progress_;
    }
    if (!IsConstraintError(copied)) {
      return copied.WithContext("copying " + copy_.source + " into " + copy_.target +
                                " stopped after rowid " + std::to_string(covered_));
    }
    return Refuse(copied);
  }

 private:
  // Copies the next `rows` rows; the rows it walked (0 at the end).
  Result<long long> Chunk(long long rows) {
    if (covered_ >= end_) return 0;
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult last,
                            conn_.Query("SELECT max(rowid), count(*) FROM (SELECT rowid FROM " +
                                            QuoteIdent(copy_.source) +
                                            " WHERE rowid > $1 AND rowid <= $2 ORDER BY "
                                            "rowid LIMIT " +
                                            std::to_string(rows) + ")",
                                        {std::to_string(covered_), std::to_string(end_)}));
    if (!last.rows.at(0)[0]) {
      covered_ = end_;
      return 0;
    }
    TANDEM_ASSIGN_OR_RETURN(long long upto, ToRowid(last.rows[0][0], "a rowid"));
    TANDEM_ASSIGN_OR_RETURN(long long walked, ToRowid(last.rows[0][1], "a row count"));
    failed_after_ = covered_;
    failed_upto_ = upto;
    TANDEM_RETURN_IF_ERROR(
        conn_.Query(copy_.copy, {std::to_string(covered_), std::to_string(upto)}).status());
    covered_ = upto;
    return std::max(1LL, walked);
  }

  // The rows of the failing chunk that break a constraint, each tried on
  // its own and rolled back; then the target and its triggers go.
  Status Refuse(const Status& failure) {
    std::vector<std::string> rows = OffendingRows();
    if (rows.empty()) rows.push_back(failure.message());
    std::string named = Join(rows, "; ");
    named = ReplaceAll(named, copy_.target + ".", copy_.source + ".");
    Status removed = Abandon();
    std::string message = "rebuilding " + copy_.source +
                          " into its final shape found rows that break the new table's "
                          "constraints: " +
                          named;
    if (!removed.ok()) {
      return Status::Refused(message + ". The partial copy " + copy_.target +
                             " could not be removed (" + removed.message() +
                             "); `tandem rollback` or `tandem complete` removes it");
    }
    return Status::Refused(message +
                           ". Nothing was changed. Fix those rows (through either version) and "
                           "run `tandem complete` again");
  }

  std::vector<std::string> OffendingRows() {
    std::vector<std::string> found;
    auto rowids = conn_.Query("SELECT rowid FROM " + QuoteIdent(copy_.source) +
                                  " WHERE rowid > $1 AND rowid <= $2 ORDER BY rowid",
                              {std::to_string(failed_after_), std::to_string(failed_upto_)});
    if (!rowids.ok() || !conn_.Execute("BEGIN").ok()) return found;
    for (const auto& r : rowids->rows) {
      if (found.size() >= kRowsNamed || !r[0]) break;
      long long rowid = std::stoll(*r[0]);
      auto tried = conn_.Query(copy_.copy, {std::to_string(rowid - 1), std::to_string(rowid)});
      if (!tried.ok()) found.push_back("rowid " + *r[0] + ": " + tried.status().message());
    }
    (void)conn_.Execute("ROLLBACK");
    return found;
  }

  // The triggers first, so that the application's writes stop filling it.
  Status Abandon() {
    std::vector<std::string> drop;
    for (const auto& s : copy_.prepare) {
      const std::string kTrigger = "CREATE TRIGGER IF NOT EXISTS ";
      if (!StartsWith(s, kTrigger)) continue;
      std::string rest = s.substr(kTrigger.size());
      drop.push_back("DROP TRIGGER IF EXISTS " + rest.substr(0, rest.find(" AFTER ")));
    }
    TANDEM_RETURN_IF_ERROR(writes_.Once(drop));
    return DrainSqliteTable(conn_, copy_.target, options_, nullptr).status();
  }

  backend::Connection& conn_;
  const plan::TableCopy& copy_;
  const Options& options_;
  Progress progress_;
  ChunkedWrites writes_;
  long long covered_ = 0;  // the last rowid copied
  long long end_ = 0;
  long long failed_after_ = 0;  // the range of the last chunk tried
  long long failed_upto_ = 0;
};

}  // namespace

Result<Progress> CopySqliteTable(backend::Connection& conn, const plan::TableCopy& copy,
                                 const Options& options, const ProgressCallback& on_progress) {
  TableCopier copier(conn, copy, options);
  return copier.Run(on_progress);
}

Result<Progress> DrainSqliteTable(backend::Connection& conn, const std::string& table,
                                  const Options& options, const ProgressCallback& on_progress) {
  Progress progress;
  progress.table = table;
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult exists,
      conn.Query("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = $1", {table}));
  if (exists.Scalar().value_or("0") == "0") return progress;
  std::string quoted = QuoteIdent(table);
  ChunkedWrites writes(conn, options, progress);
  auto chunk = [&](long long rows) -> Result<long long> {
    TANDEM_ASSIGN_OR_RETURN(
        backend::QueryResult deleted,
        conn.Query("DELETE FROM " + quoted + " WHERE rowid IN (SELECT rowid FROM " + quoted +
                   " ORDER BY rowid LIMIT " + std::to_string(rows) + ")"));
    return deleted.affected;
  };
  TANDEM_RETURN_IF_ERROR(writes.Run(chunk, on_progress));
  // Empty now, so dropping it frees only a few pages.
  TANDEM_RETURN_IF_ERROR(writes.Once({"DROP TABLE IF EXISTS " + quoted}));
  progress.done = true;
  return progress;
}

}  // namespace tandem::backfill
