#include "verify/invariants.h"

#include "backends/number.h"

namespace tandem::verify {

Status CheckInvariant(backend::Connection& conn, const std::string& view,
                      const std::string& row_text, const plan::Invariant& invariant, int show,
                      Report& report) {
  std::string rows = " FROM " + view + " AS t WHERE NOT (" + invariant.check + ")";
  InvariantResult result;
  result.name = invariant.name;
  result.table = invariant.table;
  result.check = invariant.check;
  auto count = conn.Query("SELECT count(*)" + rows);
  if (!count.ok()) {
    return count.status().WithContext("invariant \"" + invariant.name + "\" on " + invariant.table);
  }
  TANDEM_ASSIGN_OR_RETURN(
      result.violations,
      backend::ToInteger(count->Scalar(), "the rows breaking invariant \"" + invariant.name + "\"",
                         0));
  if (result.violations > 0) {
    TANDEM_ASSIGN_OR_RETURN(
        backend::QueryResult examples,
        conn.Query("SELECT " + row_text + rows + " LIMIT " + std::to_string(show)));
    for (const auto& row : examples.rows) result.example_keys.push_back(row[0].value_or(""));
  }
  report.invariants.push_back(result);
  return Status::Ok();
}

}  // namespace tandem::verify
