#include "backfill/postgres/statements.h"

#include <algorithm>
#include <cstdio>

#include "backends/number.h"
#include "common/strings.h"

namespace tandem::backfill {
namespace {

constexpr char kCheckpoints[] = "backfill_checkpoints";
constexpr char kRuns[] = "backfill_runs";
constexpr char kIndexSizes[] = "backfill_index_sizes";

// Appends `value` as the next parameter and returns its placeholder.
std::string Param(Statement& out, backend::Value value) {
  out.params.push_back(std::move(value));
  return "$" + std::to_string(out.params.size());
}

std::string Prefixed(const std::vector<std::string>& columns, const std::string& prefix,
                     const std::string& suffix = "") {
  std::vector<std::string> parts;
  for (const auto& c : columns) parts.push_back(prefix + c + suffix);
  return Join(parts, ", ");
}

// The key columns as text, renamed so that an ORDER BY of the same
// statement still sorts by the columns themselves, not by their text.
std::string KeysAsText(const std::vector<std::string>& columns) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < columns.size(); ++i) {
    parts.push_back(columns[i] + "::text AS key_" + std::to_string(i));
  }
  return Join(parts, ", ");
}

// A text[] built from a JSON array parameter (NULL stays NULL), so keys of
// any type travel without array-literal escaping.
std::string TextArrayFromJson(const std::string& placeholder) {
  return "(SELECT array_agg(e ORDER BY i) FROM json_array_elements_text(" + placeholder +
         "::json) WITH ORDINALITY AS a(e, i))";
}

std::string KeyJson(const Key& key) {
  if (key.empty()) return "";
  std::vector<std::string> parts;
  for (const auto& v : key) {
    if (!v) {
      parts.push_back("null");
      continue;
    }
    std::string quoted = "\"";
    for (char c : *v) {
      if (c == '"' || c == '\\') {
        quoted += '\\';
        quoted += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char escaped[8];
        std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
        quoted += escaped;
      } else {
        quoted += c;
      }
    }
    parts.push_back(quoted + "\"");
  }
  return "[" + Join(parts, ",") + "]";
}

backend::Value KeyParam(const Key& key) {
  if (key.empty()) return std::nullopt;
  return KeyJson(key);
}

// The keys of a ctid walk were checked to be page numbers when their
// checkpoints were loaded (LoadRanges), so `fallback` stands only for a
// missing bound.
long long PageOf(const Key& key, long long fallback) {
  if (key.empty()) return fallback;
  Result<long long> page = backend::ToInteger(key[0], "a page", fallback);
  return page.ok() ? *page : fallback;
}

}  // namespace

std::string KeyText(const Key& key) {
  std::vector<std::string> parts;
  for (const auto& v : key) parts.push_back(v.value_or("NULL"));
  return "(" + Join(parts, ", ") + ")";
}

PgStatements::PgStatements(const std::string& schema, const plan::TableSync& sync,
                           const std::string& state_schema, long long migration_id)
    : schema_(schema),
      table_name_(sync.table),
      table_(QualifiedName(schema, sync.table)),
      checkpoints_(QualifiedName(state_schema, kCheckpoints)),
      runs_(QualifiedName(state_schema, kRuns)),
      index_sizes_(QualifiedName(state_schema, kIndexSizes)),
      migration_id_(std::to_string(migration_id)) {
  for (const auto& k : sync.key_columns) key_columns_.push_back(QuoteIdent(k));
  key_names_ = sync.key_columns;
  // The trigger assigns one new column after the other, an UPDATE's SET
  // sees the row as it was: they agree unless an `up` reads another new
  // column. Then (a name match is enough to be careful) the trigger does it.
  bool reads_new_column = false;
  for (const auto& c : sync.up) {
    for (const auto& other : sync.up) {
      reads_new_column = reads_new_column || c.expression.find(other.target) != std::string::npos;
    }
  }
  if (reads_new_column) return;
  for (const auto& c : sync.up)
    set_up_ += ", " + QuoteIdent(c.target) + " = (" + c.expression + ")";
}

namespace {
constexpr char kBackfillApplication[] = "tandem backfill";
}  // namespace

std::string PgStatements::SessionSetup() const {
  return std::string("SET ") + plan::kBackfillSessionSetting + " = '" +
         (set_up_.empty() ? "off" : "on") + "'; SET application_name = '" + kBackfillApplication +
         "'";
}

std::string PgStatements::WaitersOnBackfill() {
  return std::string(
             "SELECT count(*) FROM pg_stat_activity w WHERE w.datname = current_database() AND "
             "w.wait_event_type = 'Lock' AND EXISTS (SELECT 1 FROM pg_stat_activity b WHERE "
             "b.pid = ANY (pg_blocking_pids(w.pid)) AND b.application_name = '") +
         kBackfillApplication + "')";
}

// The up expressions read the row as NEW."col", hence the alias.
std::string PgStatements::MarkRows() const {
  return "UPDATE " + table_ + " AS new SET " + QuoteIdent(plan::kWrittenByColumn) + " = " +
         plan::kWrittenByOld + set_up_ + " WHERE ";
}

std::string PgStatements::KeyBounds(const KeyRange& range, Statement& out) const {
  std::vector<std::string> conditions;
  auto compare = [&](const Key& key, const char* op) {
    std::vector<std::string> params;
    for (const auto& v : key) params.push_back(Param(out, v));
    conditions.push_back("(" + Join(key_columns_, ", ") + ") " + op + " (" + Join(params, ", ") +
                         ")");
  };
  if (!range.last.empty()) {
    compare(range.last, ">");
  } else if (!range.lower.empty()) {
    compare(range.lower, ">=");
  }
  if (!range.upper.empty()) compare(range.upper, "<");
  return conditions.empty() ? "true" : Join(conditions, " AND ");
}

// The `counts` of a chunk: rows seen, rows marked, and whether the range is
// done (`done` may read n.scanned).
std::string PgStatements::Counts(const std::string& scanned, const std::string& done) {
  return "counts AS (SELECT n.scanned, n.updated, (" + done + ") AS done FROM (SELECT " + scanned +
         " AS scanned, (SELECT count(*) FROM marked) AS updated) n),\n";
}

// For the open-ended range: done once the walk passed the greatest key of
// when the run began. Rows inserted later went through the dual-write
// trigger and are marked already, so heavy inserts cannot keep it going.
std::string PgStatements::StopAfter(const KeyRange& range, Statement& out) const {
  if (!range.upper.empty() || range.stop_after.empty()) return "";
  std::vector<std::string> params;
  for (const auto& v : range.stop_after) params.push_back(Param(out, v));
  return " OR coalesce((SELECT (" + Join(key_columns_, ", ") + ") >= (" + Join(params, ", ") +
         ") FROM last), false)";
}

std::string PgStatements::CheckpointUpdate(const std::string& last_key, const KeyRange& range,
                                           long long size, Statement& out) const {
  return "saved AS (UPDATE " + checkpoints_ + " c SET last_key = coalesce(" + last_key +
         ", c.last_key), rows_done = c.rows_done + counts.scanned, rows_updated = "
         "c.rows_updated + counts.updated, chunks = c.chunks + 1, chunk_size = " +
         Param(out, std::to_string(size)) + "::integer, done = counts.done" +
         ", updated_at = clock_timestamp() FROM counts WHERE c.migration_id = " +
         Param(out, migration_id_) + "::bigint AND c.table_name = " + Param(out, table_name_) +
         " AND c.range_no = " + Param(out, std::to_string(range.number)) +
         "::integer AND c.last_key IS NOT DISTINCT FROM " +
         TextArrayFromJson(Param(out, KeyParam(range.last))) + " RETURNING 1)\n";
}

std::string PgStatements::KeySetChunk(const KeyRange& range, long long size, Statement& out) const {
  std::string keys = Join(key_columns_, ", ");
  std::string limit = Param(out, std::to_string(size));
  std::string bounds = KeyBounds(range, out);
  std::string marker = QuoteIdent(plan::kWrittenByColumn);
  // The rows are updated through the ctids the key walk found (a TID scan),
  // not joined back on the key: a join lets the planner pick a plan from
  // the marker's statistics, and once most rows are marked those say "one
  // unmarked row" and invite a nested loop over a sequential scan. A row
  // moved meanwhile is skipped, which is right: its writer marked it.
  return "WITH chunk AS (SELECT " + keys + ", ctid AS _tandem_tid FROM " + table_ + " WHERE " +
         bounds + " ORDER BY " + keys + " LIMIT " + limit + "::integer),\nlast AS (SELECT " + keys +
         " FROM chunk ORDER BY " + Prefixed(key_columns_, "", " DESC") + " LIMIT 1),\nmarked AS (" +
         MarkRows() + "ctid = ANY(ARRAY(SELECT _tandem_tid FROM chunk)) AND " + marker +
         " IS NULL RETURNING 1),\n" +
         Counts("(SELECT count(*) FROM chunk)",
                "n.scanned < " + limit + "::integer" + StopAfter(range, out)) +
         CheckpointUpdate("(SELECT ARRAY[" + Prefixed(key_columns_, "", "::text") + "] FROM last)",
                          range, size, out) +
         "SELECT counts.scanned, counts.updated, (SELECT count(*) FROM saved), counts.done, " +
         Prefixed(key_columns_, "last.", "::text") + " FROM counts LEFT JOIN last ON true";
}

std::string PgStatements::CtidChunk(const KeyRange& range, long long size, Statement& out) const {
  long long first = PageOf(range.last, PageOf(range.lower, 0));
  // The chunk size is in rows; a page holds about rows_per_page_ of them.
  long long pages = std::max(1LL, static_cast<long long>(size / rows_per_page_));
  long long end = first + pages;
  long long upper = PageOf(range.upper, end);
  end = std::min(end, upper);
  std::string from = Param(out, "(" + std::to_string(first) + ",0)");
  std::string to = Param(out, "(" + std::to_string(end) + ",0)");
  std::string next = Param(out, std::to_string(end));
  std::string in_pages = "ctid >= " + from + "::tid AND ctid < " + to + "::tid";
  std::string marker = QuoteIdent(plan::kWrittenByColumn);
  return "WITH chunk AS (SELECT count(*) AS scanned FROM " + table_ + " WHERE " + in_pages +
         "),\nmarked AS (" + MarkRows() + in_pages + " AND " + marker + " IS NULL RETURNING 1),\n" +
         Counts("(SELECT scanned FROM chunk)", end >= upper ? "true" : "false") +
         CheckpointUpdate("ARRAY[" + next + "::text]", range, size, out) +
         "SELECT counts.scanned, counts.updated, (SELECT count(*) FROM saved), counts.done, " +
         next + "::text FROM counts";
}

Statement PgStatements::Chunk(const KeyRange& range, long long size) const {
  Statement out;
  out.sql = by_ctid() ? CtidChunk(range, size, out) : KeySetChunk(range, size, out);
  return out;
}

Statement PgStatements::FirstKey(const KeyRange& range) const {
  Statement out;
  if (by_ctid()) {
    long long first = PageOf(range.last, PageOf(range.lower, 0));
    out.sql = "SELECT ctid::text FROM " + table_ +
              " WHERE ctid >= " + Param(out, "(" + std::to_string(first) + ",0)") + "::tid AND " +
              QuoteIdent(plan::kWrittenByColumn) + " IS NULL ORDER BY ctid LIMIT 1";
    return out;
  }
  std::string keys = Join(key_columns_, ", ");
  std::string bounds = KeyBounds(range, out);
  out.sql = "SELECT " + KeysAsText(key_columns_) + " FROM " + table_ + " WHERE " + bounds +
            " ORDER BY " + keys + " LIMIT 1";
  return out;
}

Statement PgStatements::KeyAtOffset(const KeyRange& range, long long offset) const {
  Statement out;
  std::string bounds = KeyBounds(range, out);
  out.sql = "SELECT " + KeysAsText(key_columns_) + " FROM " + table_ + " WHERE " + bounds +
            " ORDER BY " + Join(key_columns_, ", ") + " OFFSET " +
            Param(out, std::to_string(offset)) + "::bigint LIMIT 1";
  return out;
}

Statement PgStatements::SetUpper(const KeyRange& range) const {
  Statement out;
  out.sql = "UPDATE " + checkpoints_ +
            " SET upper_key = " + TextArrayFromJson(Param(out, KeyParam(range.upper))) +
            ", estimated_rows = " + Param(out, std::to_string(range.estimated_rows)) +
            "::bigint WHERE migration_id = " + Param(out, migration_id_) +
            "::bigint AND table_name = " + Param(out, table_name_) +
            " AND range_no = " + Param(out, std::to_string(range.number)) + "::integer";
  return out;
}

Statement PgStatements::MaxKey() const {
  Statement out;
  out.sql = "SELECT " + KeysAsText(key_columns_) + " FROM " + table_ + " ORDER BY " +
            Prefixed(key_columns_, "", " DESC") + " LIMIT 1";
  return out;
}

Statement PgStatements::HasRows() const {
  Statement out;
  out.sql = "SELECT EXISTS (SELECT 1 FROM " + table_ + ")";
  return out;
}

Statement PgStatements::TableStats() const {
  Statement out;
  out.sql =
      "SELECT c.reltuples::bigint, c.relpages::bigint, pg_relation_size(c.oid), "
      "coalesce(s.n_mod_since_analyze, -1), current_setting('block_size')::bigint "
      "FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = " +
      Param(out, table_) + "::regclass";
  return out;
}

Statement PgStatements::HistogramBounds() const {
  Statement out;
  out.sql =
      "SELECT u.b FROM pg_stats s, unnest(s.histogram_bounds::text::text[]) WITH ORDINALITY AS "
      "u(b, i) WHERE s.schemaname = " +
      Param(out, schema_) + " AND s.tablename = " + Param(out, table_name_) +
      " AND s.attname = " + Param(out, key_names_.empty() ? "" : key_names_[0]) +
      "::text::name AND NOT s.inherited ORDER BY u.i";
  return out;
}

Statement PgStatements::SampleBounds(int buckets, double percent) const {
  Statement out;
  std::string keys = Join(key_columns_, ", ");
  char sample[64] = "";
  if (percent < 100) std::snprintf(sample, sizeof sample, " TABLESAMPLE SYSTEM (%.6f)", percent);
  // The bucket and sample size get names no key column can have.
  out.sql = "SELECT DISTINCT ON (_tandem_bucket) _tandem_bucket, _tandem_rows, " +
            KeysAsText(key_columns_) + " FROM (SELECT " + keys + ", ntile(" +
            std::to_string(buckets) + ") OVER (ORDER BY " + keys +
            ") AS _tandem_bucket, count(*) OVER () AS _tandem_rows FROM " + table_ + sample +
            ") x ORDER BY _tandem_bucket, " + keys;
  return out;
}

Statement PgStatements::LoadRanges() const {
  Statement out;
  out.sql =
      "SELECT range_no, to_json(lower_key)::text, to_json(upper_key)::text, "
      "to_json(last_key)::text, estimated_rows, rows_done, done FROM " +
      checkpoints_ + " WHERE migration_id = " + Param(out, migration_id_) +
      "::bigint AND table_name = " + Param(out, table_name_) + " ORDER BY range_no";
  return out;
}

Statement PgStatements::LoadRange(int number) const {
  Statement out = LoadRanges();
  out.sql.insert(out.sql.find(" ORDER BY"),
                 " AND range_no = " + Param(out, std::to_string(number)) + "::integer");
  return out;
}

Statement PgStatements::InsertRange(const KeyRange& range) const {
  Statement out;
  std::string m = Param(out, migration_id_);
  std::string t = Param(out, table_name_);
  std::string n = Param(out, std::to_string(range.number));
  std::string lower = TextArrayFromJson(Param(out, KeyParam(range.lower)));
  std::string upper = TextArrayFromJson(Param(out, KeyParam(range.upper)));
  std::string estimate = Param(out, std::to_string(range.estimated_rows));
  std::string done = Param(out, range.done ? "true" : "false");
  out.sql = "INSERT INTO " + checkpoints_ +
            " (migration_id, table_name, range_no, lower_key, upper_key, estimated_rows, done) "
            "VALUES (" +
            m + "::bigint, " + t + ", " + n + "::integer, " + lower + ", " + upper + ", " +
            estimate + "::bigint, " + done + "::boolean)";
  return out;
}

Statement PgStatements::SaveRun(const std::string& state, double rows_per_second, long long eta_ms,
                                int workers, int max_workers, int chunk_size, int retries,
                                const std::string& waiting_reason, long long estimated_total,
                                const std::string& chunk_histogram, bool starting) const {
  Statement out;
  std::vector<std::string> values = {
      Param(out, migration_id_) + "::bigint",
      Param(out, table_name_),
      Param(out, state),
      Param(out, std::to_string(rows_per_second)) + "::double precision",
      Param(out, eta_ms < 0 ? backend::Value() : backend::Value(std::to_string(eta_ms))) +
          "::bigint",
      Param(out, std::to_string(workers)) + "::integer",
      Param(out, std::to_string(max_workers)) + "::integer",
      Param(out, std::to_string(chunk_size)) + "::integer",
      Param(out, std::to_string(retries)) + "::integer",
      Param(out, waiting_reason),
      Param(out, std::to_string(estimated_total)) + "::bigint",
      Param(out, chunk_histogram),
  };
  const char* columns[] = {"state",           "rows_per_second", "eta_ms",  "workers",
                           "max_workers",     "chunk_size",      "retries", "waiting_reason",
                           "estimated_total", "chunk_histogram"};
  // A run that starts resets the clock its rate and elapsed time count from.
  std::string updates = "updated_at = clock_timestamp(), started_at = CASE WHEN " +
                        Param(out, starting ? "t" : "f") +
                        "::boolean THEN clock_timestamp() ELSE r.started_at END";
  for (const char* c : columns) updates += std::string(", ") + c + " = EXCLUDED." + c;
  out.sql =
      "INSERT INTO " + runs_ +
      " AS r (migration_id, table_name, state, rows_per_second, eta_ms, workers, max_workers, "
      "chunk_size, retries, waiting_reason, estimated_total, chunk_histogram) VALUES (" +
      Join(values, ", ") + ") ON CONFLICT (migration_id, table_name) DO UPDATE SET " + updates;
  return out;
}

Statement PgStatements::ReadProgress(const std::string& state_schema, long long migration_id) {
  Statement out;
  std::string runs = QualifiedName(state_schema, kRuns);
  out.sql =
      "SELECT c.table_name, sum(c.rows_done)::bigint, sum(c.rows_updated)::bigint, "
      "sum(c.estimated_rows)::bigint, sum(c.chunks)::bigint, count(*) FILTER (WHERE c.done), "
      "count(*), coalesce(max(r.state), 'not started'), coalesce(max(r.rows_per_second), 0), "
      "max(r.eta_ms), coalesce(max(r.workers), 0), coalesce(max(r.max_workers), 0), "
      "coalesce(max(r.chunk_size), 0), coalesce(max(r.retries), 0), "
      "coalesce(max(r.waiting_reason), ''), coalesce(max(r.updated_at)::text, ''), "
      "coalesce(max(r.updated_at) < now() - interval '10 seconds', false), "
      "coalesce(max(extract(epoch FROM r.updated_at - r.started_at) * 1000), 0)::bigint, "
      "coalesce(max(r.estimated_total), 0), coalesce(max(r.chunk_histogram), '') FROM " +
      QualifiedName(state_schema, kCheckpoints) + " c LEFT JOIN " + runs +
      " r ON r.migration_id = c.migration_id AND r.table_name = c.table_name "
      "WHERE c.migration_id = " +
      Param(out, std::to_string(migration_id)) +
      "::bigint GROUP BY c.table_name ORDER BY c.table_name";
  return out;
}

Statement PgStatements::RecordIndexSizes() const {
  Statement out;
  out.sql = "INSERT INTO " + index_sizes_ +
            " (migration_id, table_name, index_name, bytes_at_start) SELECT " +
            Param(out, migration_id_) + "::bigint, " + Param(out, table_name_) +
            ", c.relname, pg_relation_size(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = "
            "i.indexrelid WHERE i.indrelid = " +
            Param(out, table_) + "::regclass AND i.indisvalid ON CONFLICT DO NOTHING";
  return out;
}

Statement PgStatements::GrownIndexes(double growth) const {
  Statement out;
  // Exclusion constraints' indexes cannot be rebuilt concurrently.
  out.sql = "SELECT c.relname, s.bytes_at_start, pg_relation_size(c.oid) FROM " + index_sizes_ +
            " s JOIN pg_index i ON i.indrelid = " + Param(out, table_) +
            "::regclass AND i.indisvalid JOIN pg_class c ON c.oid = i.indexrelid AND "
            "c.relname = s.index_name WHERE s.migration_id = " +
            Param(out, migration_id_) + "::bigint AND s.table_name = " + Param(out, table_name_) +
            " AND pg_relation_size(c.oid) > s.bytes_at_start * " +
            Param(out, std::to_string(growth)) +
            "::float8 AND NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = c.oid "
            "AND x.contype = 'x') ORDER BY c.relname";
  return out;
}

Statement PgStatements::LeftoverRebuilds(const std::string& index) const {
  Statement out;
  std::string name = Param(out, index);
  // The name before the suffix; PostgreSQL shortens it when the whole would
  // not fit in 63 bytes, so a long name matches by its start.
  std::string base = "substring(c.relname FROM '^(.*)_cc(new|old)[0-9]*$')";
  out.sql =
      "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE "
      "i.indrelid = " +
      Param(out, table_) + "::regclass AND NOT i.indisvalid AND (" + base + " = " + name +
      " OR (octet_length(c.relname) >= 58 AND starts_with(" + name + ", " + base +
      "))) ORDER BY c.relname";
  return out;
}

std::string PgStatements::Reindex(const std::string& index) const {
  return "REINDEX INDEX CONCURRENTLY " + QualifiedName(schema_, index);
}

std::string PgStatements::DropIndex(const std::string& index) const {
  return "DROP INDEX CONCURRENTLY IF EXISTS " + QualifiedName(schema_, index);
}

std::string PgStatements::CreateTables(const std::string& state_schema) {
  std::string migrations = QualifiedName(state_schema, "migrations");
  // One row per key range: its bounds and how far the walk got. Written by
  // each chunk in the chunk's own transaction.
  return "CREATE TABLE IF NOT EXISTS " + QualifiedName(state_schema, kCheckpoints) +
         " (\n  migration_id bigint NOT NULL REFERENCES " + migrations + R"sql( (id),
  table_name text NOT NULL,
  range_no integer NOT NULL,
  lower_key text[],
  upper_key text[],
  last_key text[],
  estimated_rows bigint NOT NULL DEFAULT 0,
  rows_done bigint NOT NULL DEFAULT 0,
  rows_updated bigint NOT NULL DEFAULT 0,
  chunks bigint NOT NULL DEFAULT 0,
  chunk_size integer NOT NULL DEFAULT 0,
  done boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (migration_id, table_name, range_no)
);
)sql" + "CREATE TABLE IF NOT EXISTS " +
         QualifiedName(state_schema, kRuns) + " (\n  migration_id bigint NOT NULL REFERENCES " +
         migrations + R"sql( (id),
  table_name text NOT NULL,
  state text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  rows_per_second double precision NOT NULL DEFAULT 0,
  eta_ms bigint,
  workers integer NOT NULL DEFAULT 0,
  max_workers integer NOT NULL DEFAULT 0,
  chunk_size integer NOT NULL DEFAULT 0,
  retries integer NOT NULL DEFAULT 0,
  waiting_reason text NOT NULL DEFAULT '',
  estimated_total bigint NOT NULL DEFAULT 0,
  chunk_histogram text NOT NULL DEFAULT '',
  PRIMARY KEY (migration_id, table_name)
);
)sql" + "ALTER TABLE " +
         QualifiedName(state_schema, kRuns) +
         " ADD COLUMN IF NOT EXISTS chunk_histogram text NOT NULL DEFAULT '';\n" +
         "CREATE TABLE IF NOT EXISTS " + QualifiedName(state_schema, kIndexSizes) +
         " (\n  migration_id bigint NOT NULL REFERENCES " + migrations + R"sql( (id),
  table_name text NOT NULL,
  index_name text NOT NULL,
  bytes_at_start bigint NOT NULL,
  PRIMARY KEY (migration_id, table_name, index_name)
);
)sql";
}

std::vector<std::string> CheckpointTableNames() { return {kCheckpoints, kRuns, kIndexSizes}; }

std::vector<std::string> PickBounds(const std::vector<std::string>& sorted, int n) {
  std::vector<std::string> bounds;
  if (sorted.size() < 2 || n < 2) return bounds;
  size_t last = sorted.size() - 1;
  for (int i = 1; i < n; ++i) {
    const std::string& b = sorted[(last * i + n / 2) / n];
    if (bounds.empty() || bounds.back() != b) bounds.push_back(b);
  }
  return bounds;
}

}  // namespace tandem::backfill
