// `tandem lint`'s rules over SQL migration statements, read with the
// PostgreSQL parser: each statement's parse tree is checked for what it
// locks, rewrites, breaks or destroys (the codes are in lint/rules.h).
// Thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "lint/rules.h"

namespace tandem::lint {

// One thing a rule found. `line` and `column` are 1-based; within the
// linted text until the caller places them in a file.
struct Finding {
  std::string file;
  int line = 0;
  int column = 0;
  std::string code;
  Severity severity = Severity::kError;
  std::string message;
};

// How the SQL is run, which decides some rules.
struct SqlContext {
  bool sqlite = false;          // the statements are for SQLite
  bool in_transaction = false;  // the tool runs the whole text in one transaction
  bool timeouts_set = false;    // the tool sets lock_timeout itself (tandem does)
};

// A question only the live database answers (tandem lint --url): about the
// table a statement names, at the statement's position.
struct LiveQuestion {
  enum class Kind {
    kRewrites,       // rewrites or scans the table under ACCESS EXCLUSIVE: is it large?
    kChangesColumn,  // drops, renames or retypes `column`: does a view read it?
    kChangesTable,   // drops or renames the table: does a view read it?
    kAddsColumns,    // adds `count` columns: past 1600 attribute numbers?
  };
  Kind kind = Kind::kRewrites;
  std::string schema;  // "" when unqualified
  std::string table;
  std::string column;
  int count = 0;
  std::string what;  // the statement's action, for the message: "changes the type of ..."
  int line = 0;
  int column_number = 0;
};

struct SqlLint {
  std::vector<Finding> findings;  // severity as the rule's default; `file` empty
  std::vector<LiveQuestion> questions;
};

// Lints every statement of `sql` in order. Errors: kInvalidInput when the
// SQL does not parse; `syntax` (if given) then holds the parser's message
// and offset.
struct SyntaxError;
Result<SqlLint> LintSql(std::string_view sql, const SqlContext& context,
                        SyntaxError* syntax = nullptr);

// The type rules (TD501-TD505) over one column type as written, e.g.
// "varchar(255)": their codes and messages; nothing when the type is fine.
// Errors: kInvalidInput when it is no type name.
Result<std::vector<Finding>> LintColumnType(std::string_view type, const std::string& column);

// 1-based line and column of byte `offset` in `text`.
void LineAndColumn(std::string_view text, size_t offset, int* line, int* column);

}  // namespace tandem::lint
