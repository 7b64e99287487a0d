// What the statements of a raw `sql` operation do, read with the PostgreSQL
// parser: which objects they create (and so how rollback removes them),
// which existing objects or rows they destroy (which no rollback can bring
// back), and which tables and columns they add (for the new version's
// views). tandem never runs these statements differently; it only reads
// them. Thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace tandem::lint {

// Rule codes of what `plan` flags and `start` refuses. They are stable, so
// reviews and scripts can refer to them (the README lists them).
inline constexpr char kRuleDropsObject[] = "TD101";     // DROP ..., ALTER TABLE ... DROP
inline constexpr char kRuleRemovesRows[] = "TD102";     // TRUNCATE, DELETE
inline constexpr char kRuleOverwritesRows[] = "TD103";  // UPDATE
inline constexpr char kRuleColumnNumbers[] = "TD201";   // a table's 1600 attribute numbers

enum class Effect {
  kCreates,   // only creates objects; `undo` removes them
  kDestroys,  // drops or empties something that existed before
  kOther,     // anything else (or a create tandem cannot undo safely)
};

struct NewColumn {
  std::string name;
  std::string type;  // as written, e.g. "pg_catalog.varchar(3)[]"
  bool not_null = false;
  bool primary_key = false;
};

struct RelationName {
  std::string schema;  // "" when unqualified
  std::string name;
};

struct RawStatement {
  std::string text;  // the statement as written, trimmed
  int line = 0;      // 0-based line of the statement within the SQL
  Effect effect = Effect::kOther;
  std::string rule;  // kDestroys: its rule code
  std::string what;  // kDestroys: "drops a table", "removes rows"...
  std::string undo;  // kCreates: the statement that removes what it created
  // CREATE TABLE (creates_table) or ALTER TABLE ... ADD COLUMN: the table
  // and the columns the statement gives it. `schema` is "" when unqualified.
  std::string schema;
  std::string table;
  bool creates_table = false;
  bool columns_known = true;  // false for LIKE, INHERITS, PARTITION OF, AS SELECT
  std::vector<NewColumn> columns;
  std::vector<RelationName> dropped_tables;  // DROP TABLE
  std::vector<std::string> dropped_columns;  // ALTER TABLE `table` DROP COLUMN
};

// Describes each statement of `sql`, in order. Errors are the parser's
// (kInvalidInput).
Result<std::vector<RawStatement>> DescribeStatements(std::string_view sql);

// The statements that undo `statements`, newest first, when every one of
// them is kCreates; empty otherwise.
std::vector<std::string> UndoOf(const std::vector<RawStatement>& statements);

}  // namespace tandem::lint
