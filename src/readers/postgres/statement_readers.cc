#include "readers/postgres/statement_readers.h"

#include <nlohmann/json.hpp>

#include "backends/number.h"
#include "common/strings.h"
#include "lint/pg_parse.h"
#include "readers/postgres/old_shape.h"

namespace tandem::readers::postgres {
namespace {

// The schema pg_stat_statements was created in; nullopt when it was not.
constexpr char kExtensionSchema[] =
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = 'pg_stat_statements'";

// The key a statement's counter is kept under: pg_stat_statements has one
// entry per statement, role and database (the database is this one).
constexpr char kKey[] = "s.queryid::text || ' ' || s.userid::text";

std::string TrimmedMarker() {
  std::string marker = backend::kStatementMarker;
  while (!marker.empty() && marker.back() == ' ') marker.pop_back();
  return marker;
}

// This database's statements, tandem's own (marked) left out. The marker's
// trailing space goes: the server trims what ends a statement's text.
std::string NotTandems() {
  std::string marker = TrimmedMarker();
  return "s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND "
         "left(s.query, " +
         std::to_string(marker.size()) + ") <> " + QuoteLiteral(marker);
}

// The view of `schema`, or nullopt (with the reason) when it cannot be read.
Result<std::optional<std::string>> StatementsView(backend::Connection& conn, std::string* why_not) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult schema, conn.Query(kExtensionSchema));
  if (!schema.Scalar()) {
    *why_not =
        "pg_stat_statements is not installed in this database, so statements the server "
        "ran are not checked (CREATE EXTENSION pg_stat_statements, with it in "
        "shared_preload_libraries, to have them checked)";
    return std::optional<std::string>();
  }
  std::string view = QuoteIdent(*schema.Scalar()) + ".pg_stat_statements";
  // Installed but not loaded at server start: the view refuses every read.
  if (!conn.Query("SELECT 1 FROM " + view + " LIMIT 1").ok()) {
    *why_not =
        "pg_stat_statements is installed but not loaded (it must be in the server's "
        "shared_preload_libraries), so statements the server ran are not checked";
    return std::optional<std::string>();
  }
  return std::optional<std::string>(view);
}

// True when `sql` is a query (SELECT, INSERT, UPDATE, DELETE, MERGE), not
// a session setting or DDL: only queries read or write rows.
bool IsQuery(const std::string& sql) {
  Result<nlohmann::json> tree = lint::ParseStatements(sql);
  if (!tree.ok() || !tree->contains("stmts")) return false;
  for (const auto& stmt : (*tree)["stmts"]) {
    if (!stmt.contains("stmt")) continue;
    for (const char* kind : {"SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt"}) {
      if (stmt["stmt"].contains(kind)) return true;
    }
  }
  return false;
}

// Calls since the window opened: a counter that went down was reset (or
// its entry evicted and made again) since, so all its calls are new.
long long CallsSince(long long calls, const nlohmann::json& before, const std::string& key) {
  if (!before.is_object() || !before.contains(key)) return calls;
  long long then = before[key].get<long long>();
  return calls >= then ? calls - then : calls;
}

}  // namespace

Result<std::optional<std::string>> StatementCounts(backend::Connection& conn) {
  std::string why_not;
  TANDEM_ASSIGN_OR_RETURN(std::optional<std::string> view, StatementsView(conn, &why_not));
  if (!view) return std::optional<std::string>();
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows,
                          conn.Query(std::string("SELECT ") + kKey + ", s.calls::text FROM " +
                                     *view + " s WHERE " + NotTandems()));
  nlohmann::json counts = nlohmann::json::object();
  for (const auto& row : rows.rows) {
    TANDEM_ASSIGN_OR_RETURN(counts[row[0].value_or("")],
                            backend::ToInteger(row[1], "pg_stat_statements.calls"));
  }
  return std::optional<std::string>(counts.dump());
}

Result<StatementAudit> StatementReaders(backend::Connection& conn, const plan::Plan& plan,
                                        const std::string& counts, const std::string& window) {
  StatementAudit audit;
  TANDEM_ASSIGN_OR_RETURN(std::optional<std::string> view, StatementsView(conn, &audit.note));
  if (!view) return audit;
  nlohmann::json before = nlohmann::json::parse(counts, nullptr, /*allow_exceptions=*/false);
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn.Query(std::string("SELECT ") + kKey +
                 ", s.queryid::text, s.userid::regrole::text, current_database(), "
                 "s.calls::text, s.query FROM " +
                 *view + " s WHERE " + NotTandems() + " ORDER BY s.queryid, s.userid"));
  int hidden = 0;
  for (const auto& row : rows.rows) {
    std::string query = row[5].value_or("");
    if (query == "<insufficient privilege>") {
      ++hidden;
      continue;
    }
    if (!IsQuery(query)) continue;
    std::string uses = OldShapeUse(query, plan);
    if (uses.empty()) continue;
    TANDEM_ASSIGN_OR_RETURN(long long calls,
                            backend::ToInteger(row[4], "pg_stat_statements.calls"));
    long long since = CallsSince(calls, before, row[0].value_or(""));
    Reader reader{
        kStatement,
        "queryid " + row[1].value_or("") + " (role " + row[2].value_or("") + ", database " +
            row[3].value_or("") + ", " + std::to_string(calls) + " calls, " +
            (since > 0 ? std::to_string(since) + " since " + window : "not seen since " + window) +
            ")",
        uses + ", in `" + query + "`", "", since > 0};
    reader.action = since > 0 ? "find the application that runs it and move it to the new version "
                                "before complete"
                              : "it has not run since " + window +
                                    ", so complete does not wait for it; it fails after complete "
                                    "if it runs again";
    audit.readers.push_back(std::move(reader));
  }
  if (hidden > 0) {
    audit.note = std::to_string(hidden) +
                 " statements of other roles could not be read (their text needs the "
                 "pg_read_all_stats role), so they are not checked";
  }
  return audit;
}

}  // namespace tandem::readers::postgres
