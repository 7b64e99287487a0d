#include "backfill/backfill.h"

#include <chrono>

#include "common/strings.h"

namespace tandem::backfill {
namespace {

using Clock = std::chrono::steady_clock;

struct ChunkSql {
  std::string first;  // no lower bound
  std::string next;   // keys after $1..$n
};

// One statement per chunk: pick the next `batch` keys, mark those rows that
// are not marked yet, and return the last key seen plus the counts.
ChunkSql BuildChunkSql(const std::string& schema, const plan::TableSync& sync, int batch) {
  std::vector<std::string> keys;
  std::vector<std::string> params;
  std::vector<std::string> join;
  std::vector<std::string> last_key;
  for (size_t i = 0; i < sync.key_columns.size(); ++i) {
    std::string k = QuoteIdent(sync.key_columns[i]);
    keys.push_back(k);
    params.push_back("$" + std::to_string(i + 1));
    join.push_back("t." + k + " = chunk." + k);
    last_key.push_back("(SELECT " + k + "::text FROM last)");
  }
  std::string table = QualifiedName(schema, sync.table);
  std::string key_list = Join(keys, ", ");
  std::string order = Join(keys, ", ");
  auto build = [&](const std::string& where) {
    return "WITH chunk AS (SELECT " + key_list + " FROM " + table + where + " ORDER BY " + order +
           " LIMIT " + std::to_string(batch) + "),\n" + "last AS (SELECT " + key_list +
           " FROM chunk ORDER BY " + order + " DESC LIMIT 1),\n" + "marked AS (UPDATE " + table +
           " t SET " + QuoteIdent(plan::kWrittenByColumn) + " = " + plan::kWrittenByOld +
           " FROM chunk WHERE " + Join(join, " AND ") + " AND t." +
           QuoteIdent(plan::kWrittenByColumn) + " IS NULL RETURNING 1)\n" +
           "SELECT (SELECT count(*) FROM chunk), (SELECT count(*) "
           "FROM marked), " +
           Join(last_key, ", ");
  };
  std::string bound = "(" + key_list + ") > (" + Join(params, ", ") + ")";
  return {build(""), build(" WHERE " + bound)};
}

long long EstimateRows(backend::Connection& conn, const std::string& schema,
                       const std::string& table) {
  auto rows = conn.Query(
      "SELECT greatest(c.reltuples, 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = "
      "c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
      {schema, table});
  if (!rows.ok() || !rows->Scalar()) return 0;
  return std::stoll(*rows->Scalar());
}

}  // namespace

Result<Progress> BackfillTable(backend::Connection& conn, const std::string& schema,
                               const plan::TableSync& sync, const Options& options,
                               const ProgressCallback& on_progress) {
  if (sync.key_columns.empty()) {
    return Status::Refused("table \"" + sync.table +
                           "\" has no primary key or unique NOT NULL key; tandem cannot walk it "
                           "in chunks. Add a key before migrating it");
  }
  ChunkSql sql = BuildChunkSql(schema, sync, options.batch_size);
  Progress progress;
  progress.table = sync.table;
  progress.estimated_total = EstimateRows(conn, schema, sync.table);
  auto started = Clock::now();
  std::vector<backend::Value> last_key;
  while (true) {
    auto result = last_key.empty() ? conn.Query(sql.first) : conn.Query(sql.next, last_key);
    if (!result.ok()) {
      std::string after = last_key.empty() ? "the start" : "key (" + [&] {
        std::vector<std::string> parts;
        for (const auto& v : last_key) parts.push_back(v.value_or("NULL"));
        return Join(parts, ", ");
      }() + ")";
      return result.status().WithContext("backfill of " + schema + "." + sync.table +
                                         " failed in the chunk after " + after);
    }
    const backend::Row& row = result->rows.at(0);
    long long scanned = std::stoll(row[0].value_or("0"));
    if (scanned == 0) break;
    progress.rows_scanned += scanned;
    progress.rows_updated += std::stoll(row[1].value_or("0"));
    progress.chunks += 1;
    progress.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - started);
    last_key.assign(row.begin() + 2, row.end());
    if (on_progress) on_progress(progress);
    if (scanned < options.batch_size) break;
  }
  progress.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - started);
  return progress;
}

}  // namespace tandem::backfill
