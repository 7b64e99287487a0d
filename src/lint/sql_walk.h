// What the SQL rules (sql_rules.cc, sql_alter_rules.cc) share while they
// walk the statements of one text: its transactions, the settings and
// objects earlier statements made, and the findings so far.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lint/sql_rules.h"

namespace tandem::lint {

class SqlWalk {
 public:
  SqlWalk(std::string_view sql, const SqlContext& context);

  bool InTransaction() const { return context.in_transaction || explicit_begin_offset >= 0; }
  // A new transaction: constraints added NOT VALID before it may be validated.
  void StartTransaction() { not_valid_in_transaction.clear(); }
  // True for a table an earlier statement of this text created: nobody else
  // uses it yet, so locking it costs nothing.
  bool CreatedHere(const nlohmann::json& relation) const;
  // A finding of rule `code` at byte `offset` of the text (the statement's
  // start when negative).
  void Report(const std::string& code, const std::string& message, long offset = -1);
  // The statement takes a lock on an existing object: TD310 when no
  // timeouts were set before it (once per text).
  void Locks(const std::string& what);
  void Ask(LiveQuestion::Kind kind, const std::string& schema, const std::string& table,
           const std::string& column, const std::string& what, int count = 0);
  // After the last statement: a transaction still open.
  void Finish();

  std::string_view sql;
  SqlContext context;
  SqlLint result;
  size_t statement_offset = 0;
  long explicit_begin_offset = -1;  // of the open BEGIN; -1 when none is open
  std::set<std::string> created_tables;
  std::set<std::string> not_valid_in_transaction;  // constraint names
  // CHECK (col IS NOT NULL) constraints added NOT VALID: name -> "table.column".
  std::map<std::string, std::string> not_null_checks;
  std::set<std::string> proven_not_null;  // "table.column" with a validated check
  bool lock_timeout_set = false;
  bool statement_timeout_set = false;
  bool timeouts_reported = false;

 private:
  // 1-based line and column of byte `offset`, by the line starts found once:
  // a file of many statements asks this for each.
  void Position(size_t offset, int* line, int* column) const;
  std::vector<size_t> line_starts_;
};

// A RangeVar as written: "s.t" or "t".
std::string RelationText(const nlohmann::json& relation);
// The offset of the first token at or after `location` (past blanks and comments).
size_t StatementStart(std::string_view sql, size_t location);
// The type rules (TD501-TD505) over a ColumnDef's type.
void CheckColumnType(const nlohmann::json& column_def, SqlWalk& walk);
void CheckAlterTable(const nlohmann::json& alter, SqlWalk& walk);

}  // namespace tandem::lint
