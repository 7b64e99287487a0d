#include "verify/postgres/reproducible.h"

#include "verify/postgres/chunk_sql.h"

namespace tandem::verify {
namespace {

// A temporary view over the expression: its stored query tree names every
// function and operator PostgreSQL resolved for it.
constexpr char kView[] = "pg_temp._tandem_expression";

// The resolved functions of the view's query tree (functions, operators'
// functions, aggregates, window functions) that are not IMMUTABLE.
std::string ChangingFunctionsSql() {
  return std::string(
             "SELECT string_agg(DISTINCT p.proname, ', ') FROM pg_rewrite r, "
             "regexp_matches(r.ev_action::text, ':(?:funcid|opfuncid|aggfnoid|winfnoid) (\\d+)', "
             "'g') m JOIN pg_proc p ON p.oid = m[1]::oid WHERE p.provolatile <> 'i' AND "
             "r.ev_class = '") +
         kView + "'::regclass";
}

// PostgreSQL refuses to index an expression that is not IMMUTABLE with this
// SQLSTATE; its test also covers what names no function (CURRENT_TIMESTAMP,
// a cast through a type's text form that depends on settings).
constexpr char kNotImmutable[] = "42P17";

// Whether PostgreSQL would index `expression` over a copy of `table`'s
// columns: false only for its refusal of a non-immutable expression.
bool Indexable(backend::Connection& conn, const std::string& table, const std::string& expression) {
  Status copied =
      conn.Execute(std::string("CREATE TEMP TABLE pg_temp.") + kAlias + " (LIKE " + table + ")");
  if (!copied.ok()) return true;
  Status indexed =
      conn.Execute(std::string("CREATE INDEX ON pg_temp.") + kAlias + " ((" + expression + "))");
  return indexed.ok() || indexed.native_code() != kNotImmutable;
}

std::string Why(backend::Connection& conn, const std::string& table,
                const std::string& expression) {
  Status viewed = conn.Execute(std::string("CREATE TEMP VIEW ") + kView + " AS SELECT (" +
                               expression + ") FROM " + table + " AS " + kAlias);
  if (!viewed.ok()) return "";
  auto changing = conn.Query(ChangingFunctionsSql());
  if (changing.ok() && changing->Scalar()) {
    return "its expression calls functions whose result changes (" + *changing->Scalar() + ")";
  }
  if (Indexable(conn, table, expression)) return "";
  return "PostgreSQL does not hold its expression immutable (it reads the clock, a sequence or "
         "a setting, e.g. CURRENT_TIMESTAMP or a date or time cast to text)";
}

}  // namespace

std::string Unreproducible(backend::Connection& conn, const std::string& table,
                           const std::string& expression) {
  if (!conn.Execute("BEGIN").ok()) return "";
  std::string why = Why(conn, table, expression);
  (void)conn.Execute("ROLLBACK");
  return why;
}

}  // namespace tandem::verify
