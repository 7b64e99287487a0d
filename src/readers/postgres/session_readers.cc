#include "readers/postgres/session_readers.h"

#include "lint/body_refs.h"
#include "lint/pg_parse.h"

namespace tandem::readers::postgres {
namespace {

// Client sessions of this database other than tandem's and this one, with
// what pg_stat_activity keeps of their current (or, idle, last) statement.
constexpr char kSessions[] = R"sql(
SELECT a.pid::text, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local'),
       coalesce(a.usename, ''),
       to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       coalesce(a.state, ''), a.query
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
  AND a.backend_type = 'client backend' AND coalesce(a.application_name, '') <> 'tandem'
  AND coalesce(a.query, '') <> ''
ORDER BY a.pid)sql";

// What of `retired` the statement uses, in words; "" when nothing.
std::string UsedBy(const std::string& query, const plan::Plan& plan) {
  Result<lint::BodyReferences> refs = lint::StatementReferences(query);
  if (!refs.ok()) return "";  // cut short by track_activity_query_size, or not SQL
  Result<nlohmann::json> tree = lint::ParseStatements(query);
  bool star = tree.ok() && tree->dump().find("\"A_Star\"") != std::string::npos;
  for (const auto& r : plan.retired) {
    if (r.change == plan::RetiredChange::kReplaced) continue;  // the name keeps working
    if (!lint::NamesRelation(*refs, plan.schema, r.table)) continue;
    std::string change = r.change == plan::RetiredChange::kRenamed
                             ? "which complete renames to " + r.renamed_to
                             : "which complete drops";
    std::string table = plan.schema + "." + r.table;
    if (r.column.empty()) return "table " + table + ", " + change;
    if (refs->columns.count(r.column) > 0)
      return "column " + table + "." + r.column + ", " + change;
    if (star) return "column " + table + "." + r.column + " (through *), " + change;
  }
  return "";
}

}  // namespace

Result<std::vector<Reader>> SessionReaders(backend::Connection& conn, const plan::Plan& plan) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult sessions, conn.Query(kSessions));
  std::vector<Reader> found;
  for (const auto& row : sessions.rows) {
    std::string query = row[6].value_or("");
    std::string uses = UsedBy(query, plan);
    if (uses.empty()) continue;
    std::string app = row[1].value_or("");
    std::string name = "pid " + row[0].value_or("") + " (application " +
                       (app.empty() ? "unnamed" : "\"" + app + "\"") + ", client " +
                       row[2].value_or("") + ", user " + row[3].value_or("") +
                       ", connected since " + row[4].value_or("") + ")";
    std::string when = row[5].value_or("") == "active" ? "current" : "last";
    found.push_back({kSession, name, uses + ", in its " + when + " statement `" + query + "`",
                     "stop or upgrade that application, so that it reconnects on the new "
                     "version, before complete"});
  }
  return found;
}

}  // namespace tandem::readers::postgres
