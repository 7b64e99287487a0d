// Reading SQLite's own CREATE TABLE and CREATE INDEX statements (as stored
// in sqlite_schema) for what its pragmas do not describe: CHECK constraints,
// COLLATE clauses, constraint names and table options. A table rebuild
// needs them to write the new table without losing any of them, and
// drop_constraint needs them to find a constraint by name.
//
// This is a tokenizer and a shallow split, not a full SQL parser: it finds
// the top-level parts of the statement and keeps expressions as written.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tandem::plan::sqlite {

// A CHECK constraint as written, over the table's column names.
struct CheckSql {
  std::string name;  // "" when unnamed
  std::string expression;
  std::vector<std::string> columns;  // the table's columns it reads, as written in the table
};

// A named constraint other than CHECK, as written in the definition.
struct NamedConstraintSql {
  std::string name;
  char type = 0;                     // 'p' primary, 'u' unique, 'f' foreign key
  std::vector<std::string> columns;  // the constrained columns of this table
};

struct TableSql {
  std::vector<std::string> columns;       // in order
  std::vector<std::string> collations;    // per column, "" for none
  std::vector<CheckSql> checks;           // column-level and table-level
  std::vector<NamedConstraintSql> named;  // named UNIQUE, FOREIGN KEY, PRIMARY KEY
  std::string options;                    // after the column list: "STRICT", ""
  bool conflict_clause = false;           // an ON CONFLICT clause anywhere
  bool deferrable = false;                // a DEFERRABLE foreign key
};

// The parts of `sql`, a CREATE TABLE statement; nullopt when it is not one
// tandem can read (CREATE TABLE ... AS SELECT, unbalanced parentheses).
std::optional<TableSql> ParseCreateTable(const std::string& sql);

// What a column reference becomes: nullopt when `name` is not a column
// (left as written), "" when the column is gone, else the new name.
using ColumnRename = std::function<std::optional<std::string>(const std::string& name)>;

// The collation `sql` gives `column`, "" for none (or no `sql`).
std::string CollationOf(const TableSql* sql, const std::string& column);

// `sql` (an expression, or everything of a CREATE INDEX after its table
// name) with every column reference renamed; nullopt when one names a
// column that is gone. A column reference is an identifier that is not a
// function name, a qualified name's prefix, a collation or a type in CAST.
std::optional<std::string> RenameColumnRefs(const std::string& sql, const ColumnRename& rename);

// A CREATE INDEX statement with its columns renamed; nullopt as above.
std::optional<std::string> RenameIndexColumns(const std::string& sql, const ColumnRename& rename);

// A CREATE INDEX statement as `CREATE [UNIQUE] INDEX IF NOT EXISTS "name"
// ON "table"` followed by what `sql` has after its table name; nullopt
// when `sql` is not one tandem can read.
std::optional<std::string> RetargetIndex(const std::string& sql, const std::string& name,
                                         const std::string& table);

// A CREATE TABLE statement as `CREATE TABLE IF NOT EXISTS "name"` followed
// by `sql` from its column list on; nullopt when `sql` has none.
std::optional<std::string> RetargetTable(const std::string& sql, const std::string& name);

// True when `a` and `b` name the same SQLite identifier (ASCII case-insensitive).
bool SameName(const std::string& a, const std::string& b);
// True when `a` and `b` hold the same names, in any order.
bool SameNames(const std::vector<std::string>& a, const std::vector<std::string>& b);

}  // namespace tandem::plan::sqlite
