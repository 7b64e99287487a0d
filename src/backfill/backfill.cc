#include "backfill/backfill.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

#include "backfill/control_wait.h"
#include "common/strings.h"

namespace tandem::backfill {
namespace {

using Clock = std::chrono::steady_clock;

// One chunk statement: pick the next `$n` keys after the last one (or from
// the start), mark the unmarked ones (the dual-write trigger computes `up`
// for them), and return how many keys it saw, how many it marked, and the
// last key.
class ChunkSql {
 public:
  ChunkSql(const std::string& schema, const plan::TableSync& sync) {
    std::vector<std::string> keys;
    std::vector<std::string> params;
    std::vector<std::string> join;
    std::vector<std::string> last_key;
    for (size_t i = 0; i < sync.key_columns.size(); ++i) {
      std::string k = QuoteIdent(sync.key_columns[i]);
      keys.push_back(k);
      params.push_back("$" + std::to_string(i + 2));
      join.push_back("t." + k + " = chunk." + k);
      last_key.push_back("(SELECT " + k + "::text FROM last)");
    }
    std::string table = QualifiedName(schema, sync.table);
    key_list_ = Join(keys, ", ");
    std::string marker = QuoteIdent(plan::kWrittenByColumn);
    tail_ = " ORDER BY " + key_list_ + " LIMIT $1),\nlast AS (SELECT " + key_list_ +
            " FROM chunk ORDER BY " + key_list_ + " DESC LIMIT 1),\nmarked AS (UPDATE " + table +
            " t SET " + marker + " = " + plan::kWrittenByOld + " FROM chunk WHERE " +
            Join(join, " AND ") + " AND t." + marker +
            " IS NULL RETURNING 1)\nSELECT (SELECT count(*) FROM chunk), (SELECT count(*) FROM "
            "marked), " +
            Join(last_key, ", ");
    head_ = "WITH chunk AS (SELECT " + key_list_ + " FROM " + table;
    bound_ = " WHERE (" + key_list_ + ") > (" + Join(params, ", ") + ")";
  }

  std::string For(bool has_last_key) const { return head_ + (has_last_key ? bound_ : "") + tail_; }

 private:
  std::string key_list_;
  std::string head_;
  std::string bound_;
  std::string tail_;
};

long long EstimateRows(backend::Connection& conn, const std::string& schema,
                       const std::string& table) {
  auto rows = conn.Query(
      "SELECT greatest(c.reltuples, 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = "
      "c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
      {schema, table});
  if (!rows.ok() || !rows->Scalar()) return 0;
  return std::stoll(*rows->Scalar());
}

// Errors a particular row's values cause (a cast that does not fit, a
// violated constraint, an exception raised by a function in `up`): worth
// narrowing down to the row. Anything else (permissions, a dropped table) is
// not about one row.
bool IsDataError(const Status& error) {
  const std::string& code = error.native_code();
  return StartsWith(code, "22") || StartsWith(code, "23") || code == "P0001";
}

std::string KeyText(const std::vector<backend::Value>& key) {
  std::vector<std::string> parts;
  for (const auto& v : key) parts.push_back(v.value_or("NULL"));
  return "(" + Join(parts, ", ") + ")";
}

// Sizes chunks so each takes about the target time: grows at most 1.5x per
// chunk, shrinks at once after a slow one, within [min, max].
class ChunkSizer {
 public:
  explicit ChunkSizer(const Options& options)
      : options_(options),
        size_(options.batch_size.value_or(
            std::clamp(options.first_batch, options.min_batch, options.max_batch))) {}
  int size() const { return size_; }
  void Observe(Millis took) {
    if (options_.batch_size) return;
    double ratio = static_cast<double>(options_.target_chunk_time.count()) /
                   std::max<long long>(1, took.count());
    double next = size_ * std::min(ratio, 1.5);
    size_ = static_cast<int>(std::clamp<double>(next, options_.min_batch, options_.max_batch));
  }
  void Shrink() { size_ = std::max(1, size_ / 2); }

 private:
  const Options& options_;
  int size_;
};

class TableBackfill {
 public:
  TableBackfill(backend::Connection& conn, const std::string& schema, const plan::TableSync& sync,
                const Options& options)
      : conn_(conn),
        schema_(schema),
        sync_(sync),
        options_(options),
        sql_(schema, sync),
        sizer_(options) {}

  Result<Progress> Run(const ProgressCallback& on_progress) {
    progress_.table = sync_.table;
    progress_.estimated_total = EstimateRows(conn_, schema_, sync_.table);
    TANDEM_RETURN_IF_ERROR(
        conn_.Execute("SET statement_timeout = " + std::to_string(options_.chunk_timeout.count())));
    auto started = Clock::now();
    while (true) {
      TANDEM_RETURN_IF_ERROR(WaitWhilePaused(on_progress));
      auto chunk_started = Clock::now();
      TANDEM_ASSIGN_OR_RETURN(long long scanned, ChunkWithRetries(sizer_.size()));
      sizer_.Observe(std::chrono::duration_cast<Millis>(Clock::now() - chunk_started));
      progress_.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - started);
      if (scanned > 0 && on_progress) on_progress(progress_);
      if (scanned < progress_.batch_size) break;
    }
    (void)conn_.Execute("RESET statement_timeout");
    return progress_;
  }

 private:
  Status WaitWhilePaused(const ProgressCallback& on_progress) {
    return WaitForControl(options_, sync_.table, progress_, on_progress);
  }

  // Runs one chunk of `size` keys, then advances the last key.
  Result<long long> Chunk(int size) {
    std::vector<backend::Value> params = {std::to_string(size)};
    params.insert(params.end(), last_key_.begin(), last_key_.end());
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result,
                            conn_.Query(sql_.For(!last_key_.empty()), params));
    const backend::Row& row = result.rows.at(0);
    long long scanned = std::stoll(row[0].value_or("0"));
    progress_.batch_size = size;
    if (scanned == 0) return scanned;
    progress_.rows_scanned += scanned;
    progress_.rows_updated += std::stoll(row[1].value_or("0"));
    progress_.chunks += 1;
    last_key_.assign(row.begin() + 2, row.end());
    return scanned;
  }

  Result<long long> ChunkWithRetries(int size) {
    static thread_local std::mt19937 random{std::random_device{}()};
    for (int attempt = 1;; ++attempt) {
      auto scanned = Chunk(size);
      if (scanned.ok()) return scanned;
      const Status& error = scanned.status();
      if (!error.retryable() || error.kind() == ErrorKind::kConnection) {
        if (IsDataError(error)) return PinDownFailingRow(error);
        return Failed(error);
      }
      if (attempt >= options_.max_attempts) return Failed(error);
      if (error.native_code() == "57014") {  // statement timeout: the chunk was too big
        sizer_.Shrink();
        size = sizer_.size();
      }
      progress_.retries += 1;
      long long ceiling = options_.backoff_base.count() << std::min(attempt, 10);
      std::uniform_int_distribution<long long> pick(ceiling / 2, ceiling);
      std::this_thread::sleep_for(Millis(pick(random)));
    }
  }

  // A data error (a cast that fails on one row, a violated check): halve the
  // chunk until a single row fails, so the message can name its key.
  Status PinDownFailingRow(const Status& error) {
    for (int size = std::max(1, sizer_.size() / 2);;) {
      auto scanned = Chunk(size);
      if (scanned.ok()) {
        if (*scanned == 0) break;  // the failing row is gone (fixed meanwhile)
        continue;
      }
      if (size == 1) {
        return Status::Error(
            ErrorKind::kDatabase,
            "backfill of " + schema_ + "." + sync_.table + " failed on the row after key " +
                (last_key_.empty() ? std::string("(start)") : KeyText(last_key_)) +
                ": the `up` expression " + UpExpressions() +
                " raised: " + scanned.status().message() +
                ". Fix the expression (or the row) and run `tandem backfill` to continue; the "
                "rows done so far are kept",
            scanned.status().native_code());
      }
      size = std::max(1, size / 2);
    }
    return Failed(error);
  }

  std::string UpExpressions() const {
    std::vector<std::string> parts;
    for (const auto& c : sync_.up) parts.push_back(c.expression);
    return Join(parts, "; ");
  }

  Status Failed(const Status& error) const {
    return error.WithContext("backfill of " + schema_ + "." + sync_.table +
                             " failed in the chunk after key " +
                             (last_key_.empty() ? std::string("(start)") : KeyText(last_key_)));
  }

  backend::Connection& conn_;
  const std::string& schema_;
  const plan::TableSync& sync_;
  const Options& options_;
  ChunkSql sql_;
  ChunkSizer sizer_;
  Progress progress_;
  std::vector<backend::Value> last_key_;
};

}  // namespace

Result<Progress> BackfillTable(backend::Connection& conn, const std::string& schema,
                               const plan::TableSync& sync, const Options& options,
                               const ProgressCallback& on_progress) {
  if (sync.key_columns.empty()) {
    return Status::Refused("table \"" + sync.table +
                           "\" has no primary key or unique NOT NULL key; tandem cannot walk it "
                           "in chunks. Add a key before migrating it");
  }
  TableBackfill backfill(conn, schema, sync, options);
  return backfill.Run(on_progress);
}

}  // namespace tandem::backfill
