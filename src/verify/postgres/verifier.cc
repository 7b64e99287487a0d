#include "verify/postgres/verifier.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

#include "backends/number.h"
#include "common/strings.h"
#include "verify/invariants.h"
#include "verify/postgres/chunk_sql.h"
#include "verify/postgres/reproducible.h"

namespace tandem::verify {
namespace {

using Clock = std::chrono::steady_clock;

std::string TimeoutSql(const Options& options) {
  return "SET statement_timeout = " + std::to_string(options.chunk_timeout.count());
}

std::vector<ColumnCheck> ChecksOf(backend::Connection& conn, const std::string& table,
                                  const plan::TableSync& sync) {
  std::vector<ColumnCheck> checks;
  auto add = [&](const char* direction, const plan::ColumnSync& c) {
    checks.push_back(
        {direction, &c, Mismatch(direction, c), Unreproducible(conn, table, c.expression)});
  };
  for (const auto& c : sync.up) add("up", c);
  for (const auto& c : sync.down) add("down", c);
  return checks;
}

std::string KeyText(const plan::TableSync& sync) {
  std::vector<std::string> keys;
  for (const auto& k : sync.key_columns) keys.push_back(std::string(kAlias) + "." + QuoteIdent(k));
  if (keys.empty()) return std::string(kAlias) + ".ctid::text";
  if (keys.size() == 1) return keys[0] + "::text";
  return "ROW(" + Join(keys, ", ") + ")::text";
}

// What one chunk found; merged into the report by TableVerifier.
struct ChunkResult {
  long long rows = 0;
  long long not_backfilled = 0;
  long long mismatching_rows = 0;
  std::vector<long long> checked;
  std::vector<long long> mismatches;
  std::vector<std::vector<std::string>> examples;
  std::vector<std::string> ranges;  // per check, "" when clean
  std::vector<double> new_nulls;
  std::vector<double> implied_nulls;
  std::vector<double> new_defaults;
  std::vector<double> implied_defaults;
  std::vector<std::string> not_consistent;  // ctids, at most kMaxCarriedRows + 1
};

// The default of each up column, where recomputing it gives the same value
// (an immutable expression); "" otherwise.
std::vector<std::string> ReproducibleDefaults(backend::Connection& conn, const std::string& table,
                                              const plan::TableSync& sync) {
  std::vector<std::string> defaults(sync.up.size());
  for (size_t u = 0; u < sync.up.size(); ++u) {
    auto value = conn.Query(
        "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON "
        "a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = $1::regclass AND "
        "a.attname = $2",
        {table, sync.up[u].target});
    if (!value.ok() || !value->Scalar()) continue;
    if (Unreproducible(conn, table, *value->Scalar()).empty()) defaults[u] = *value->Scalar();
  }
  return defaults;
}

class TableVerifier {
 public:
  TableVerifier(backend::Connection& conn, const ConnectionFactory& connect, const plan::Plan& plan,
                const plan::TableSync& sync, const Options& options, Report& report)
      : conn_(conn),
        connect_(connect),
        sync_(sync),
        options_(options),
        report_(report),
        table_(QualifiedName(plan.schema, sync.table)),
        checks_(ChecksOf(conn, table_, sync)),
        all_compared_(std::all_of(checks_.begin(), checks_.end(),
                                  [](const ColumnCheck& c) { return c.compared(); })),
        defaults_(ReproducibleDefaults(conn, table_, sync)),
        new_nulls_(sync.up.size()),
        implied_nulls_(sync.up.size()),
        new_defaults_(sync.up.size()),
        implied_defaults_(sync.up.size()) {
    first_parity_ = report_.parity.size();
    for (const auto& c : checks_) report_.parity.push_back(ParityLine(sync.table, c));
  }

  long long mismatching_rows() const { return mismatching_rows_; }
  const std::vector<std::string>& not_consistent() const { return not_consistent_; }

  Status Run() {
    TANDEM_ASSIGN_OR_RETURN(bool has_rows, HasRows());
    if (has_rows) TANDEM_RETURN_IF_ERROR(Scan());
    for (auto& parity : report_.parity) {
      std::sort(parity.example_keys.begin(), parity.example_keys.end());
      if (static_cast<int>(parity.example_keys.size()) > options_.show) {
        parity.example_keys.resize(options_.show);
      }
    }
    double rows = static_cast<double>(std::max<long long>(1, rows_ - unmarked_rows_));
    for (size_t i = 0; i < sync_.up.size(); ++i) {
      ColumnDrift drift;
      drift.table = sync_.table;
      drift.column = sync_.up[i].target;
      drift.null_ratio = new_nulls_[i] / rows;
      drift.expected_null_ratio = implied_nulls_[i] / rows;
      drift.default_value = defaults_[i];
      drift.default_ratio = new_defaults_[i] / rows;
      drift.expected_default_ratio = implied_defaults_[i] / rows;
      double worst = std::max(std::fabs(drift.null_ratio - drift.expected_null_ratio),
                              std::fabs(drift.default_ratio - drift.expected_default_ratio));
      drift.flagged = 100.0 * worst > options_.drift_threshold;
      report_.drift.push_back(drift);
    }
    return Status::Ok();
  }

 private:
  // An empty table is in parity with nothing evaluated: PostgreSQL plans
  // each expression even when no row reaches it, and a constant `up` that
  // does not fit the column (which the backfill of an empty table never
  // ran) would fail the scan with no row to blame.
  Result<bool> HasRows() {
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult any,
                            conn_.Query("SELECT EXISTS (SELECT 1 FROM " + table_ + ")"));
    return any.Scalar() != backend::Value("f");
  }

  Status Scan() {
    TANDEM_ASSIGN_OR_RETURN(bool all_consistent, ScanInOneQuery());
    if (all_consistent) return Status::Ok();
    TANDEM_ASSIGN_OR_RETURN(std::vector<Scope> scopes, Scopes());
    return ScanAll(scopes);
  }

  // The whole table, or in an incremental pass its rows written since then.
  Scope WholeTable() const {
    Scope scope{table_ + " AS " + kAlias, ""};
    if (options_.written_since_xid) {
      scope.where = std::string(kAlias) +
                    ".xmin::text::bigint >= " + std::to_string(*options_.written_since_xid);
    }
    return scope;
  }

  // With options_.one_query, counts the whole table with the cheap aggregate
  // in one query, which PostgreSQL can run as a parallel sequential scan (a
  // TID range scan is neither parallel nor ring-buffered); true when every
  // row is consistent. Otherwise, or when the query fails but the connection
  // is fine (e.g. it ran into the statement timeout), the chunks are scanned
  // as usual and say where. The price: one query holds its snapshot and
  // ACCESS SHARE lock for the whole table, and the throttle is asked only
  // before it.
  Result<bool> ScanInOneQuery() {
    if (!options_.one_query || !all_compared_ || options_.sample_percent > 0 ||
        !Carried().empty()) {
      return false;
    }
    if (options_.before_chunk) TANDEM_RETURN_IF_ERROR(options_.before_chunk());
    Scope whole = WholeTable();
    auto result = conn_.Query(ConsistentChunkSql(sync_, defaults_, whole));
    if (!result.ok()) return conn_.Healthy() ? Result<bool>(false) : result.status();
    auto counts = ReadConsistentRow(whole, defaults_, result->rows.at(0));
    if (!counts) return false;
    Merge(ConsistentChunk(*counts));
    return true;
  }

  // The parts of the table this pass scans: the chunks (or the sample) and
  // the rows carried from the previous pass.
  Result<std::vector<Scope>> Scopes() {
    TANDEM_ASSIGN_OR_RETURN(std::vector<Scope> scopes, ChunkScopes());
    if (!Carried().empty()) scopes.push_back(CarriedScope());
    return scopes;
  }

  // The rows of the previous pass to look at again, when this pass is
  // incremental (none otherwise: a full pass looks at every row anyway).
  const std::vector<std::string>& Carried() const {
    static const std::vector<std::string> kNone;
    if (!options_.written_since_xid) return kNone;
    auto rows = options_.recheck.rows.find(sync_.table);
    return rows == options_.recheck.rows.end() ? kNone : rows->second;
  }

  // The carried rows (fetched by ctid) that no scope of this pass holds
  // already: those not written since.
  Scope CarriedScope() const {
    Scope whole = WholeTable();
    std::string ctids = "'{\"" + Join(Carried(), "\",\"") + "\"}'::tid[]";
    return {whole.from,
            std::string(kAlias) + ".ctid = ANY(" + ctids + ") AND NOT (" + whole.where + ")", true};
  }

  Result<std::vector<Scope>> ChunkScopes() {
    Scope whole = WholeTable();
    const std::string& written_since = whole.where;
    const std::string& from = whole.from;
    if (options_.sample_percent > 0) {
      return std::vector<Scope>{
          {from + " TABLESAMPLE SYSTEM (" + std::to_string(options_.sample_percent) + ")",
           written_since}};
    }
    TANDEM_ASSIGN_OR_RETURN(
        backend::QueryResult size,
        conn_.Query("SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int",
                    {table_}));
    TANDEM_ASSIGN_OR_RETURN(long long blocks,
                            backend::ToInteger(size.Scalar(), "the blocks of " + table_, 0));
    std::string extra = written_since.empty() ? "" : " AND " + written_since;
    std::string ctid = std::string(kAlias) + ".ctid";
    std::vector<Scope> scopes;
    for (long long start = 0;; start += options_.chunk_blocks) {
      long long end = start + options_.chunk_blocks;
      std::string range = ctid + " >= '(" + std::to_string(start) + ",0)'::tid";
      // The last chunk is open-ended: rows appended during the scan count too.
      if (end < blocks) range += " AND " + ctid + " < '(" + std::to_string(end) + ",0)'::tid";
      scopes.push_back({from, range + extra, end < blocks && end - start <= kMaxBoundedBlocks});
      if (end >= blocks) break;
    }
    return scopes;
  }

  // Scans the chunks on up to options_.workers connections at once (a TID
  // range scan is not parallel-aware, so tandem parallelizes it itself).
  // Each extra worker connects in its own thread while the others already
  // scan: connecting costs a server process start.
  Status ScanAll(const std::vector<Scope>& scopes) {
    int workers = std::max(1, std::min<int>(options_.workers, static_cast<int>(scopes.size())));
    std::atomic<size_t> next{0};
    std::mutex mutex;
    Status failure = Status::Ok();
    auto work = [&](backend::Connection& conn) {
      for (size_t i = next++; i < scopes.size(); i = next++) {
        Status may_go = options_.before_chunk ? options_.before_chunk() : Status::Ok();
        Result<ChunkResult> chunk = may_go.ok() ? ScanChunk(conn, scopes[i]) : may_go;
        std::lock_guard<std::mutex> lock(mutex);
        if (!chunk.ok()) {
          if (failure.ok()) failure = chunk.status();
          next = scopes.size();
          return;
        }
        Merge(*chunk);
      }
    };
    auto connect_and_work = [&] {
      auto conn = connect_();
      // A worker that cannot connect leaves its chunks to the others.
      if (conn.ok() && (*conn)->Execute(TimeoutSql(options_)).ok()) work(**conn);
    };
    std::vector<std::thread> threads;
    for (int i = 1; i < workers && connect_; ++i) threads.emplace_back(connect_and_work);
    work(conn_);
    for (auto& t : threads) t.join();
    return failure;
  }

  // Scans a chunk with the cheap aggregate first, and again in detail only
  // when some row in it is not consistent.
  Result<ChunkResult> ScanChunk(backend::Connection& conn, const Scope& scope) const {
    if (all_compared_) {
      TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result,
                              conn.Query(ConsistentChunkSql(sync_, defaults_, scope)));
      auto counts = ReadConsistentRow(scope, defaults_, result.rows.at(0));
      if (counts) return ConsistentChunk(*counts);
    }
    return ScanChunkInDetail(conn, scope);
  }

  // The ChunkResult of a chunk whose every row is consistent.
  ChunkResult ConsistentChunk(const ConsistentCounts& counts) const {
    ChunkResult chunk;
    chunk.rows = counts.rows;
    long long written_by_new = counts.written_by_new;
    for (const auto& check : checks_) {
      chunk.checked.push_back(check.direction == "up" ? chunk.rows - written_by_new
                                                      : written_by_new);
      chunk.mismatches.push_back(0);
      chunk.examples.emplace_back();
      chunk.ranges.emplace_back();
    }
    for (size_t u = 0; u < sync_.up.size(); ++u) {
      double nulls = static_cast<double>(counts.nulls[u]);
      double defaults = static_cast<double>(counts.defaults[u]);
      chunk.new_nulls.push_back(nulls);
      chunk.implied_nulls.push_back(nulls);
      chunk.new_defaults.push_back(defaults);
      chunk.implied_defaults.push_back(defaults);
    }
    return chunk;
  }

  Result<ChunkResult> ScanChunkInDetail(backend::Connection& conn, const Scope& scope) const {
    std::string sql = AggregateSql(sync_, checks_, defaults_, "FROM " + scope.from + Where(scope));
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result, conn.Query(sql));
    const backend::Row& r = result.rows.at(0);
    ChunkResult chunk;
    size_t i = 0;
    backend::NumberReader read;
    chunk.rows = read.Integer(r[i++], "the rows");
    chunk.not_backfilled = read.Integer(r[i++], "the rows not backfilled");
    chunk.mismatching_rows = read.Integer(r[i++], "the rows not matching");
    for (size_t c = 0; c < checks_.size(); ++c) {
      chunk.checked.push_back(read.Integer(r[i++], "the rows checked"));
      chunk.mismatches.push_back(read.Integer(r[i++], "the mismatches"));
      chunk.examples.emplace_back();
      chunk.ranges.emplace_back();
      if (chunk.mismatches.back() > 0) {
        TANDEM_RETURN_IF_ERROR(
            Examples(conn, scope, checks_[c], chunk.examples.back(), chunk.ranges.back()));
      }
    }
    for (size_t u = 0; u < sync_.up.size(); ++u) {
      chunk.new_nulls.push_back(read.Integer(r[i++], "the NULLs"));
      chunk.implied_nulls.push_back(read.Integer(r[i++], "the expected NULLs"));
      chunk.new_defaults.push_back(read.Integer(r[i++], "the defaults"));
      chunk.implied_defaults.push_back(read.Integer(r[i++], "the expected defaults"));
    }
    TANDEM_RETURN_IF_ERROR(read.status().WithContext("verify " + table_));
    if (chunk.mismatching_rows > 0 || (sync_.backfill && chunk.not_backfilled > 0)) {
      TANDEM_ASSIGN_OR_RETURN(chunk.not_consistent, NotConsistentRows(conn, scope));
    }
    return chunk;
  }

  // The ctids of the rows of `scope` that fail a compared check or that the
  // backfill has not reached, up to one more than can be carried.
  Result<std::vector<std::string>> NotConsistentRows(backend::Connection& conn,
                                                     const Scope& scope) const {
    std::vector<std::string> failing;
    for (const auto& check : checks_) {
      if (check.compared()) failing.push_back(check.mismatch);
    }
    if (sync_.backfill) failing.push_back(WrittenBy() + " IS NULL");
    std::string where = Where(scope);
    where += (where.empty() ? " WHERE (" : " AND (") + Join(failing, " OR ") + ")";
    TANDEM_ASSIGN_OR_RETURN(
        backend::QueryResult rows,
        conn.Query("SELECT " + std::string(kAlias) + ".ctid FROM " + scope.from + where +
                   " LIMIT " + std::to_string(kMaxCarriedRows + 1)));
    std::vector<std::string> ctids;
    for (const auto& row : rows.rows) ctids.push_back(row[0].value_or(""));
    return ctids;
  }

  void Merge(const ChunkResult& chunk) {
    rows_ += chunk.rows;
    report_.rows += chunk.rows;
    if (sync_.backfill) report_.not_backfilled += chunk.not_backfilled;
    mismatching_rows_ += chunk.mismatching_rows;
    unmarked_rows_ += chunk.not_backfilled;
    for (const auto& ctid : chunk.not_consistent) {
      if (not_consistent_.size() > kMaxCarriedRows) break;
      not_consistent_.push_back(ctid);
    }
    for (size_t c = 0; c < checks_.size(); ++c) {
      ColumnParity& parity = report_.parity[first_parity_ + c];
      parity.checked += chunk.checked[c];
      parity.mismatches += chunk.mismatches[c];
      for (const auto& key : chunk.examples[c]) parity.example_keys.push_back(key);
      if (!chunk.ranges[c].empty()) parity.key_ranges.push_back(chunk.ranges[c]);
    }
    for (size_t u = 0; u < sync_.up.size(); ++u) {
      new_nulls_[u] += chunk.new_nulls[u];
      implied_nulls_[u] += chunk.implied_nulls[u];
      new_defaults_[u] += chunk.new_defaults[u];
      implied_defaults_[u] += chunk.implied_defaults[u];
    }
  }

  // The key range and the first keys of the rows of `scope` failing `check`.
  Status Examples(backend::Connection& conn, const Scope& scope, const ColumnCheck& check,
                  std::vector<std::string>& keys_out, std::string& range_out) const {
    std::string where = Where(scope);
    where += (where.empty() ? " WHERE " : " AND ") + check.mismatch;
    std::string key = KeyText(sync_);
    TANDEM_ASSIGN_OR_RETURN(
        backend::QueryResult range,
        conn.Query("SELECT min(" + key + "), max(" + key + ") FROM " + scope.from + where));
    range_out = range.rows[0][0].value_or("") + ".." + range.rows[0][1].value_or("");
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult keys,
                            conn.Query("SELECT " + key + " FROM " + scope.from + where +
                                       " ORDER BY 1 LIMIT " + std::to_string(options_.show)));
    for (const auto& row : keys.rows) keys_out.push_back(row[0].value_or("NULL"));
    return Status::Ok();
  }

  backend::Connection& conn_;
  const ConnectionFactory& connect_;
  const plan::TableSync& sync_;
  const Options& options_;
  Report& report_;
  std::string table_;
  std::vector<ColumnCheck> checks_;
  // Every check can be recomputed, so the cheap consistent-chunk scan applies.
  bool all_compared_;
  size_t first_parity_ = 0;
  long long rows_ = 0;
  long long mismatching_rows_ = 0;
  long long unmarked_rows_ = 0;  // no version nor the backfill wrote them: left out of drift
  std::vector<std::string> not_consistent_;  // ctids, at most kMaxCarriedRows + 1
  std::vector<std::string> defaults_;
  std::vector<double> new_nulls_;
  std::vector<double> implied_nulls_;
  std::vector<double> new_defaults_;
  std::vector<double> implied_defaults_;
};

// Adds the not consistent rows of `table` to those carried to the next pass,
// or gives up on carrying rows once there are too many.
void Carry(const std::string& table, const std::vector<std::string>& ctids,
           NotConsistent& carried) {
  if (carried.too_many || ctids.empty()) return;
  size_t total = ctids.size();
  for (const auto& [name, rows] : carried.rows) total += rows.size();
  if (total > kMaxCarriedRows) {
    carried.rows.clear();
    carried.too_many = true;
    return;
  }
  carried.rows[table] = ctids;
}

}  // namespace

void FollowUp(const Pass& pass, Options& options) {
  if (!pass.report.scan_complete) return;
  options.recheck = pass.not_consistent;
  if (pass.not_consistent.too_many) {
    options.written_since_xid.reset();
  } else {
    options.written_since_xid = pass.next_xid;
  }
}

Result<Pass> Verify(backend::Connection& conn, const ConnectionFactory& connect,
                    const plan::Plan& plan, const std::vector<plan::Invariant>& invariants,
                    const Options& options) {
  auto started = Clock::now();
  Pass pass;
  Report& report = pass.report;
  report.full = options.sample_percent == 0 && !options.written_since_xid;
  report.sample_percent = options.sample_percent;
  report.backfill_finished = options.backfill_finished;
  report.parity_threshold = options.parity_threshold;
  report.drift_threshold = options.drift_threshold;
  // The next incremental pass looks at what transactions from here on write.
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult xid,
      conn.Query("SELECT txid_snapshot_xmin(txid_current_snapshot()) % 4294967296"));
  TANDEM_ASSIGN_OR_RETURN(pass.next_xid,
                          backend::ToInteger(xid.Scalar(), "the oldest transaction running"));
  TANDEM_RETURN_IF_ERROR(conn.Execute(TimeoutSql(options)));
  long long mismatching_rows = 0;
  Status scan = Status::Ok();
  for (const auto& sync : plan.syncs) {
    TableVerifier table(conn, connect, plan, sync, options, report);
    scan = table.Run();
    mismatching_rows += table.mismatching_rows();
    Carry(sync.table, table.not_consistent(), pass.not_consistent);
    if (!scan.ok()) break;
  }
  for (size_t i = 0; scan.ok() && i < invariants.size(); ++i) {
    scan = CheckInvariant(conn, QualifiedName(plan.version_schema, invariants[i].table), "t::text",
                          invariants[i], options.show, report);
  }
  if (conn.Healthy()) (void)conn.Execute("RESET statement_timeout");
  TANDEM_RETURN_IF_ERROR(
      FinishReport(report, scan, mismatching_rows,
                   std::chrono::duration<double, std::milli>(Clock::now() - started).count()));
  return pass;
}

Result<long long> Repair(backend::Connection& conn, const plan::Plan& plan) {
  long long repaired = 0;
  for (const auto& sync : plan.syncs) {
    std::string table = QualifiedName(plan.schema, sync.table) + " AS " + kAlias;
    std::string set = " SET " + QuoteIdent(plan::kWrittenByColumn) + " = ";
    std::vector<std::string> up;
    std::vector<std::string> down;
    for (const auto& c : sync.up) up.push_back(Mismatch("up", c));
    for (const auto& c : sync.down) down.push_back(Mismatch("down", c));
    // Re-writing the marker fires the dual-write trigger, which recomputes
    // the columns exactly as a write of that version does.
    if (!up.empty()) {
      TANDEM_ASSIGN_OR_RETURN(
          backend::QueryResult fixed,
          conn.Query("UPDATE " + table + set + plan::kWrittenByOld + " WHERE " + Join(up, " OR ")));
      repaired += fixed.affected;
    }
    if (down.empty()) continue;
    // As the new version: the version schema is the current schema.
    TANDEM_RETURN_IF_ERROR(conn.Execute("BEGIN; SET LOCAL search_path TO " +
                                        QuoteIdent(plan.version_schema) + ", " +
                                        QuoteIdent(plan.schema)));
    auto fixed =
        conn.Query("UPDATE " + table + set + plan::kWrittenByNew + " WHERE " + Join(down, " OR "));
    if (!fixed.ok()) {
      (void)conn.Execute("ROLLBACK");
      return fixed.status();
    }
    TANDEM_RETURN_IF_ERROR(conn.Execute("COMMIT"));
    repaired += fixed->affected;
  }
  return repaired;
}

}  // namespace tandem::verify
