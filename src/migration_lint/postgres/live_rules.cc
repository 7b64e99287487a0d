#include "migration_lint/postgres/live_rules.h"

#include <map>

#include "backends/number.h"
#include "common/strings.h"
#include "lint/rules.h"

namespace tandem::migration_lint {
namespace {

using lint::LiveQuestion;

// PostgreSQL's MaxHeapAttributeNumber: attribute numbers a table may use,
// dropped columns' included.
constexpr long long kMaxColumnNumbers = 1600;

constexpr char kTableSize[] = R"sql(
SELECT pg_total_relation_size(c.oid), greatest(c.reltuples, 0)::bigint
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'm'))sql";

// Views and materialized views whose rules depend on the table (or on one
// column of it when $3 is given).
constexpr char kViewsReading[] = R"sql(
SELECT DISTINCT quote_ident(vn.nspname) || '.' || quote_ident(v.relname),
       CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END
FROM pg_class t
JOIN pg_namespace tn ON tn.oid = t.relnamespace
JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = t.oid
                 AND d.classid = 'pg_rewrite'::regclass
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_class v ON v.oid = r.ev_class AND v.oid <> t.oid
JOIN pg_namespace vn ON vn.oid = v.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
WHERE tn.nspname = $1 AND t.relname = $2 AND ($3::text IS NULL OR a.attname = $3)
ORDER BY 1)sql";

constexpr char kColumnNumbers[] = R"sql(
SELECT coalesce(max(a.attnum), 0)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0)sql";

std::string Megabytes(long long bytes) {
  return FormatNumber(static_cast<double>(bytes) / (1024.0 * 1024.0)) + " MB";
}

class Answerer {
 public:
  Answerer(backend::Connection& conn, const std::string& file, const LiveOptions& options)
      : conn_(conn), file_(file), options_(options) {}

  Status Answer(const LiveQuestion& q) {
    std::string schema = q.schema.empty() ? options_.schema : q.schema;
    switch (q.kind) {
      case LiveQuestion::Kind::kRewrites:
        return LargeTable(q, schema);
      case LiveQuestion::Kind::kChangesColumn:
      case LiveQuestion::Kind::kChangesTable:
        return ViewsReading(q, schema);
      case LiveQuestion::Kind::kAddsColumns:
        return ColumnNumbers(q, schema);
    }
    return Status::Ok();
  }

  std::vector<lint::Finding> findings;

 private:
  void Add(const LiveQuestion& q, const char* code, const std::string& message) {
    findings.push_back(
        {file_, q.line, q.column_number, code, lint::FindRule(code)->severity, message});
  }

  Status LargeTable(const LiveQuestion& q, const std::string& schema) {
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult r, conn_.Query(kTableSize, {schema, q.table}));
    if (r.rows.empty()) return Status::Ok();
    TANDEM_ASSIGN_OR_RETURN(long long bytes, backend::ToInteger(r.rows[0][0], "table size"));
    TANDEM_ASSIGN_OR_RETURN(long long rows, backend::ToInteger(r.rows[0][1], "row estimate"));
    if (bytes < options_.large_table_bytes) return Status::Ok();
    Add(q, lint::kRuleLongRewrite,
        "\"" + schema + "." + q.table + "\" is " + Megabytes(bytes) + " (about " +
            std::to_string(rows) + " rows): the statement " + q.what +
            " under ACCESS EXCLUSIVE, blocking every query on it until done; migrate it "
            "with tandem (add, backfill, switch) instead");
    return Status::Ok();
  }

  Status ViewsReading(const LiveQuestion& q, const std::string& schema) {
    backend::Value column = q.column.empty() ? backend::Value() : backend::Value(q.column);
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult r,
                            conn_.Query(kViewsReading, {schema, q.table, column}));
    for (const auto& row : r.rows) {
      std::string what = q.column.empty()
                             ? "table \"" + schema + "." + q.table + "\""
                             : "column \"" + q.column + "\" of \"" + schema + "." + q.table + "\"";
      Add(q, lint::kRuleReadByView,
          row[1].value_or("view") + " " + row[0].value_or("") + " reads " + what +
              ", which the statement " + q.what.substr(0, q.what.find(' ')) +
              ": change or drop the view first");
    }
    return Status::Ok();
  }

  Status ColumnNumbers(const LiveQuestion& q, const std::string& schema) {
    std::string key = schema + "." + q.table;
    auto used = used_numbers_.find(key);
    if (used == used_numbers_.end()) {
      TANDEM_ASSIGN_OR_RETURN(backend::QueryResult r,
                              conn_.Query(kColumnNumbers, {schema, q.table}));
      TANDEM_ASSIGN_OR_RETURN(long long numbers, backend::ToInteger(r.Scalar(), "column numbers"));
      used = used_numbers_.emplace(key, numbers).first;
    }
    used->second += q.count;
    if (used->second <= kMaxColumnNumbers || reported_.count(key) > 0) return Status::Ok();
    reported_.insert({key, true});
    Add(q, lint::kRuleColumnNumbers,
        "\"" + key + "\" would need column number " + std::to_string(used->second) +
            " here, past PostgreSQL's " + std::to_string(kMaxColumnNumbers) +
            " (dropped columns keep theirs); rewrite the table (VACUUM FULL, pg_repack) to "
            "free them first");
    return Status::Ok();
  }

  backend::Connection& conn_;
  const std::string& file_;
  const LiveOptions& options_;
  std::map<std::string, long long> used_numbers_;  // per table, counting what the file adds
  std::map<std::string, bool> reported_;
};

}  // namespace

Result<std::vector<lint::Finding>> AnswerQuestions(backend::Connection& conn,
                                                   const std::string& file,
                                                   const std::vector<LiveQuestion>& questions,
                                                   const LiveOptions& options) {
  Answerer answerer(conn, file, options);
  for (const auto& q : questions) TANDEM_RETURN_IF_ERROR(answerer.Answer(q));
  return std::move(answerer.findings);
}

}  // namespace tandem::migration_lint
