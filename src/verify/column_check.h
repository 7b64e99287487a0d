// One synced column checked in one direction: what both engines' verifiers
// compare row by row, and its line in the report.
#pragma once

#include <string>

#include "plan/plan.h"
#include "verify/report.h"

namespace tandem::verify {

struct ColumnCheck {
  std::string direction;  // "up" (new from old) or "down" (old from new)
  const plan::ColumnSync* sync;
  std::string mismatch;  // SQL, true for a row whose column disagrees
  // Why the column is reported and not compared (a volatile expression).
  std::string skipped_because;

  bool compared() const { return skipped_because.empty(); }
};

// The check's parity line for `table`, before any row is counted.
inline ColumnParity ParityLine(const std::string& table, const ColumnCheck& check) {
  ColumnParity parity;
  parity.table = table;
  parity.column = check.sync->target;
  parity.direction = check.direction;
  parity.expression = check.sync->expression;
  parity.skipped_because = check.skipped_because;
  return parity;
}

}  // namespace tandem::verify
