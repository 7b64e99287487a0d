// The real PostgreSQL parser (libpg_query) behind a small API: checking that
// user-supplied SQL parses, and rewriting column references inside `up` and
// `down` expressions so triggers can evaluate them against NEW.
//
// Only this module includes pg_query.h. All functions are thread-compatible.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tandem::lint {

// Returns `text` as a scalar expression. pgroll accepts both a bare expression
// (`lower(email)`) and a one-column query (`SELECT lower(email)`): a query with
// a single target and no FROM is reduced to its target, any other query is
// wrapped as a scalar subquery. Errors (kInvalidInput) quote the parser's
// message and the offset within `text`.
Result<std::string> NormalizeExpression(std::string_view text);

// Checks that `text` is a boolean/scalar SQL expression (after normalizing).
Status CheckExpression(std::string_view text);

// Checks that `sql` parses as one or more complete SQL statements.
Status CheckStatements(std::string_view sql);

// Where the parser stopped: its message and the 0-based byte offset in the text.
struct SyntaxError {
  std::string message;
  int offset = 0;
};

// The parse tree of `sql` (one or more statements) as libpg_query's JSON:
// {"stmts": [{"stmt": {...}, "stmt_location": N, "stmt_len": N}, ...]}.
// Errors (kInvalidInput) quote the parser's message and the offset; with
// `error`, also as values, for a caller that reports a file's line:column.
Result<nlohmann::json> ParseStatements(std::string_view sql, SyntaxError* error = nullptr);

// The PL/pgSQL parse of a CREATE FUNCTION (or PROCEDURE) statement in
// LANGUAGE plpgsql, as libpg_query's JSON: an array of {"PLpgSQL_function":
// {...}} whose embedded SQL is kept as text ("query" of each PLpgSQL_expr).
// Errors (kInvalidInput) quote the parser's message.
Result<nlohmann::json> ParsePlpgsql(std::string_view create_function);

// Checks that `type` is a single PostgreSQL type name ("varchar(255)", "int[]").
Status CheckTypeName(std::string_view type);

// True when `expression` is safe as a "fast default" of ADD COLUMN: no
// function calls (other than a few known non-volatile ones such as now()),
// no subqueries. PostgreSQL then stores the value in the catalog instead of
// rewriting the table. Conservative: false means "add, then backfill".
Result<bool> IsNonVolatileExpression(std::string_view expression);
// The same for an expression already parsed (a node of a parse tree).
bool IsNonVolatileTree(const nlohmann::json& expression);
// True when the parsed expression calls a function (SQL value functions
// such as CURRENT_TIMESTAMP included) or holds a subquery: not a constant.
bool CallsAnything(const nlohmann::json& expression);

// Names of the functions `expression` calls (unqualified, lower case), and
// "current_timestamp"-style keywords (SQL value functions) by their name.
Result<std::vector<std::string>> CalledFunctions(std::string_view expression);

// Replaces every unqualified column reference `name` in the expression by
// resolve(name), leaving references resolve() declines (nullopt) untouched.
// The expression is normalized first.
using ColumnResolver = std::function<std::optional<std::string>(const std::string& name)>;
Result<std::string> RewriteColumnRefs(std::string_view expression, const ColumnResolver& resolve);

}  // namespace tandem::lint
