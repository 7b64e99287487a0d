#include "readers/postgres/session_readers.h"

#include "readers/postgres/old_shape.h"

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

}  // namespace

Result<std::vector<Reader>> SessionReaders(backend::Connection& conn, const plan::Plan& plan) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult sessions, conn.Query(kSessions));
  std::vector<Reader> found;
  for (const auto& row : sessions.rows) {
    std::string query = row[6].value_or("");
    // A client built on tandem's connection marks its statements; the
    // statement as the application wrote it is what is worth showing.
    if (query.starts_with(backend::kStatementMarker)) {
      query.erase(0, std::string(backend::kStatementMarker).size());
    }
    std::string uses = OldShapeUse(query, plan);
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
