// The flag decision (common/flag_decision.h) as one SQL query that both
// engines run: PostgreSQL as the body of the function <state>.flag(...),
// SQLite as the query tandem documents for applications (`tandem flag
// sql`). One writer for both, so the two engines cannot drift apart; the
// tests compare each with the C++ reference.
//
// The query is a recursive CTE over the key's code points, with XOR spelled
// (a | b) - (a & b) (SQLite has no XOR operator) and each product kept below
// 2^63: h * kFnvPrime < 2^57, and a 32-bit constant is applied in 16-bit
// halves. Its one row is true when the subject is in, false when it is out,
// the flag is not set, or no migration is in progress.
#pragma once

#include <string>

namespace tandem::core {

// What differs between the engines, and where the query's inputs come from.
struct FlagSqlInputs {
  std::string code_point_function;  // of one character: "ascii" | "unicode"
  std::string flags_table;          // qualified and quoted
  std::string migrations_table;
  std::string flag;     // an SQL expression: a parameter's name
  std::string subject;  // the same
  // A condition on the migration (alias m) choosing the migrated schema;
  // empty where a database holds one schema (SQLite).
  std::string schema_condition;
};

std::string FlagDecisionSql(const FlagSqlInputs& inputs);

}  // namespace tandem::core
