#include "backfill/postgres/worker.h"

#include <chrono>
#include <optional>
#include <thread>

#include "backfill/backoff.h"
#include "backfill/postgres/checkpoints.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/strings.h"

namespace tandem::backfill {
namespace {

using Clock = std::chrono::steady_clock;

// While reconnecting, backoffs stop growing at this attempt's (0.8 to 1.6 s),
// so a server that is back is found soon.
constexpr int kReconnectBackoffAttempts = 3;

constexpr char kStatementTimeout[] = "57014";

// Errors a particular row's values cause (a cast that does not fit, a
// violated constraint, an exception raised by a function in `up`): worth
// narrowing down to the row. Anything else (permissions, a dropped table) is
// not about one row.
bool IsDataError(const Status& error) {
  const std::string& code = error.native_code();
  return StartsWith(code, "22") || StartsWith(code, "23") || code == "P0001";
}

long long Number(const backend::Value& v) { return v ? std::stoll(*v) : 0; }

std::string Where(const KeyRange& range) {
  if (!range.last.empty()) return "after key " + KeyText(range.last);
  if (!range.lower.empty()) return "from key " + KeyText(range.lower);
  return "at the start of the table";
}

}  // namespace

Worker::Worker(const Connector& connect, const PgStatements& statements, const Options& options,
               Coordinator& coordinator, const std::string& up_expressions)
    : connect_(connect),
      statements_(statements),
      options_(options),
      coordinator_(coordinator),
      up_expressions_(up_expressions),
      sizer_(options) {}

void Worker::Run() {
  while (std::optional<KeyRange> range = coordinator_.Take()) {
    Status status = Walk(*range);
    if (!status.ok()) {
      coordinator_.Release();
      coordinator_.Fail(status);
      return;
    }
  }
}

Status Worker::Connect() {
  if (conn_ && conn_->Healthy()) return Status::Ok();
  conn_.reset();
  TANDEM_ASSIGN_OR_RETURN(conn_, connect_());
  TANDEM_RETURN_IF_ERROR(conn_->Execute(statements_.SessionSetup()));
  // Each chunk is cancelled if it runs too long and retried smaller.
  return conn_->Execute("SET statement_timeout = " +
                        std::to_string(options_.chunk_timeout.count()));
}

Status Worker::Walk(KeyRange& range) {
  while (!range.done) {
    switch (coordinator_.BeforeChunk()) {
      case Coordinator::Gate::kStop:
        coordinator_.Release();
        return Status::Ok();
      case Coordinator::Gate::kStepAside:
        coordinator_.StepAside(std::move(range));
        return Status::Ok();
      case Coordinator::Gate::kGo:
        break;
    }
    if (coordinator_.SplitWanted()) TANDEM_RETURN_IF_ERROR(SplitOff(range));
    auto started = Clock::now();
    TANDEM_ASSIGN_OR_RETURN(Outcome outcome, ChunkWithRetries(range));
    Millis took = std::chrono::duration_cast<Millis>(Clock::now() - started);
    sizer_.Observe(took, coordinator_.TargetChunkTime(Clock::now()));
    coordinator_.ChunkTook(took);
    coordinator_.ChunkDone(outcome.scanned, outcome.updated, sizer_.size());
    MaybeVacuum();
  }
  coordinator_.Release();
  return Status::Ok();
}

Result<Worker::Outcome> Worker::Chunk(KeyRange& range, int size) {
  Statement s = statements_.Chunk(range, size);
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result, conn_->Query(s.sql, s.params));
  const backend::Row& row = result.rows.at(0);
  Outcome outcome{Number(row[0]), Number(row[1])};
  if (Number(row[2]) != 1) {
    // Someone else (a chunk of a killed runner that committed late) moved
    // the checkpoint: continue from where it says. The rows this chunk
    // marked are right either way, the trigger computed them.
    spdlog::debug("checkpoint of range {} of {} moved meanwhile; reloading it", range.number,
                  statements_.qualified_table());
    TANDEM_RETURN_IF_ERROR(Reload(range));
    return Outcome{};
  }
  if (row[4]) range.last.assign(row.begin() + 4, row.end());
  range.rows_done += outcome.scanned;
  range.done = row[3] == backend::Value("t");  // as the statement stored it
  return outcome;
}

Status Worker::Reload(KeyRange& range) {
  TANDEM_ASSIGN_OR_RETURN(KeyRange stored, LoadRange(*conn_, statements_, range.number));
  stored.stop_after = std::move(range.stop_after);
  range = std::move(stored);
  return Status::Ok();
}

Result<Worker::Outcome> Worker::ChunkWithRetries(KeyRange& range) {
  std::optional<Clock::time_point> lost_since;
  for (int attempt = 1;; ++attempt) {
    Status connected = Connect();
    if (connected.ok() && attempt > 1) {
      // The chunk in flight when a connection died may have committed: the
      // checkpoint knows.
      connected = Reload(range);
      if (connected.ok() && range.done) return Outcome{};
    }
    Result<Outcome> outcome = connected.ok() ? Chunk(range, sizer_.size()) : connected;
    if (outcome.ok()) return outcome;
    const Status& error = outcome.status();
    if (IsDataError(error)) return PinDownFailingRow(range);
    if (!error.retryable()) return Failed(range, error);
    bool lost = error.kind() == ErrorKind::kConnection;
    if (lost && !lost_since) lost_since = Clock::now();
    if (lost && Clock::now() - *lost_since >= options_.reconnect_window) {
      return Failed(range, error.WithContext("the database stayed unreachable for longer than "
                                             "the reconnect window (" +
                                             FormatDuration(options_.reconnect_window) +
                                             ", --reconnect-window)"));
    }
    if (!lost && attempt >= options_.max_attempts) return Failed(range, error);
    if (error.native_code() == kStatementTimeout) sizer_.Shrink();
    spdlog::debug("backfill chunk of {} failed (attempt {}): {}", statements_.qualified_table(),
                  attempt, error.message());
    coordinator_.Retried();
    SleepBeforeRetry(options_, lost ? std::min(attempt, kReconnectBackoffAttempts) : attempt);
  }
}

// Halves the chunk until a single row fails, so the message can name its
// key. The chunks that succeed on the way are kept (and checkpointed, and
// counted here, so the outcome returned is empty).
Result<Worker::Outcome> Worker::PinDownFailingRow(KeyRange& range) {
  for (int size = std::max(1, sizer_.size() / 2);;) {
    auto outcome = Chunk(range, size);
    if (outcome.ok()) {
      coordinator_.ChunkDone(outcome->scanned, outcome->updated, size);
      if (range.done) return Outcome{};  // the failing row is gone (fixed meanwhile)
      continue;
    }
    if (!IsDataError(outcome.status())) return Failed(range, outcome.status());
    if (size > 1) {
      size = std::max(1, size / 2);
      continue;
    }
    Statement s = statements_.FirstKey(range);
    auto key = conn_->Query(s.sql, s.params);
    std::string row = "the row " + Where(range);
    if (key.ok() && !key->rows.empty()) {
      // A walk by ctid narrows down to one page; name its first row left.
      row = (statements_.by_ctid() ? "the page of the row at ctid " : "the row with key ") +
            KeyText(key->rows[0]);
    }
    return Status::Error(ErrorKind::kDatabase,
                         "backfill of " + statements_.qualified_table() + " failed on " + row +
                             ": the `up` expression " + up_expressions_ +
                             " raised: " + outcome.status().message() +
                             ". Fix the expression (or the row) and run `tandem backfill` to "
                             "continue; the rows done so far are kept",
                         outcome.status().native_code());
  }
}

// A range is worth splitting while a few chunks of it are left.
constexpr long long kMinChunksToSplit = 4;

Result<Key> Worker::SplitPoint(const KeyRange& range, long long left) {
  if (statements_.by_ctid()) {
    long long first = std::stoll(range.last.empty() ? *range.lower.at(0) : *range.last.at(0));
    long long upper = std::stoll(*range.upper.at(0));
    if (upper - first < 2) return Key{};
    return Key{std::to_string(first + (upper - first) / 2)};
  }
  // Reads half of what is left of the range's index once; cheaper than
  // leaving a worker idle for the other half.
  Statement s = statements_.KeyAtOffset(range, left / 2);
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, conn_->Query(s.sql, s.params));
  if (rows.rows.empty()) return Key{};
  return Key(rows.rows[0]);
}

Status Worker::SplitOff(KeyRange& range) {
  long long left = range.estimated_rows - range.rows_done;
  if (left < kMinChunksToSplit * sizer_.size()) return Status::Ok();
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_ASSIGN_OR_RETURN(Key middle, SplitPoint(range, left));
  if (middle.empty()) return Status::Ok();
  KeyRange upper_part;
  upper_part.number = coordinator_.NewRangeNumber();
  upper_part.lower = middle;
  upper_part.upper = range.upper;
  upper_part.stop_after = range.stop_after;
  upper_part.estimated_rows = left / 2;
  KeyRange shrunk = range;
  shrunk.upper = middle;
  shrunk.stop_after.clear();
  shrunk.estimated_rows = range.estimated_rows - upper_part.estimated_rows;
  TANDEM_RETURN_IF_ERROR(SaveSplit(*conn_, statements_, shrunk, upper_part));
  spdlog::debug("range {} of {} split at {} for an idle worker", range.number,
                statements_.qualified_table(), KeyText(middle));
  range = std::move(shrunk);
  coordinator_.AddRange(std::move(upper_part));
  return Status::Ok();
}

void Worker::MaybeVacuum() {
  if (!coordinator_.VacuumTurn()) return;
  // VACUUM runs outside a transaction and may take longer than a chunk.
  Status status = conn_->Execute("SET statement_timeout = 0");
  if (status.ok()) status = conn_->Execute(statements_.Vacuum());
  if (status.ok()) {
    status =
        conn_->Execute("SET statement_timeout = " + std::to_string(options_.chunk_timeout.count()));
  }
  if (!status.ok()) {
    spdlog::warn("VACUUM of {} failed (the backfill goes on): {}", statements_.qualified_table(),
                 status.message());
  }
  coordinator_.VacuumDone();
}

Status Worker::Failed(const KeyRange& range, const Status& error) const {
  return error.WithContext("backfill of " + statements_.qualified_table() +
                           " failed in the chunk " + Where(range));
}

}  // namespace tandem::backfill
