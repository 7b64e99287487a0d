// The result of one verification pass, and its JSON form. The flags are a
// documented bitmask (README, "verify"), so scripts can tell the kinds of
// failure apart the way pt-table-checksum reports them as bits.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace tandem::verify {

enum Flag : int {
  kParityMismatch = 1,
  kCountMismatch = 2,
  kDrift = 4,
  kInvariantViolation = 8,
  kScanIncomplete = 16,
  // Rows the backfill has not reached yet, while it has not finished: not a
  // verdict on the data, so it is kept apart from kParityMismatch.
  kBackfillUnfinished = 32,
};

// True when the only thing that stopped the pass from passing is the
// unfinished backfill.
inline bool WaitsForBackfill(int flags) { return flags == kBackfillUnfinished; }

// Mismatching rows of one synced column, in one direction.
struct ColumnParity {
  std::string table;
  std::string column;     // the physical column that should hold the expression's value
  std::string direction;  // "up" (new from old) or "down" (old from new)
  std::string expression;
  // A volatile expression (random(), now(), gen_random_uuid()) gives another
  // value every time, so recomputing it proves nothing: such columns are
  // reported, not compared.
  std::string skipped_because;
  long long checked = 0;  // rows written in this direction
  long long mismatches = 0;
  std::vector<std::string> example_keys;
  std::vector<std::string> key_ranges;  // "(first)..(last)" of chunks with mismatches
};

struct ColumnDrift {
  std::string table;
  std::string column;
  double null_ratio = 0;           // of the new column
  double expected_null_ratio = 0;  // what `up` of the old columns implies
  std::string default_value;       // the new column's default ("" when none or volatile)
  double default_ratio = 0;        // rows holding the default
  double expected_default_ratio = 0;
  bool flagged = false;
};

struct InvariantResult {
  std::string name;
  std::string table;
  std::string check;
  long long violations = 0;
  std::vector<std::string> example_keys;
};

struct Report {
  std::string migration;
  bool full = true;              // false for a sample or an incremental pass
  double sample_percent = 0;     // > 0 for --sample
  long long rows = 0;            // rows looked at
  long long not_backfilled = 0;  // rows the backfill has not reached
  // Whether the backfill had finished when the pass began. Until it has,
  // rows it has not reached are reported as such (kBackfillUnfinished) and
  // left out of the parity; after, a row without a marker is a mismatch.
  bool backfill_finished = true;
  std::vector<ColumnParity> parity;
  std::vector<ColumnDrift> drift;
  std::vector<InvariantResult> invariants;
  double parity_percent = 100;  // rows matching in every column
  double parity_threshold = 100;
  double drift_threshold = 0.1;  // percentage points
  double confidence_low = 0;     // with --sample: 95% lower bound of the parity
  bool scan_complete = true;
  std::string incomplete_reason;
  int flags = 0;
  double duration_ms = 0;

  bool passed() const { return flags == 0; }
};

// Computes the parity (rows matching in every column; rows the backfill has
// not reached count as mismatches once it has finished, and are left out
// before), the sample's confidence bound, and the flags.
void SetFlags(Report& report, long long mismatching_rows);
// Ends a pass whose scan ended with `scan`: a lost connection is returned as
// the error; any other failure marks the report incomplete. Then sets the
// flags (SetFlags) and the duration.
Status FinishReport(Report& report, const Status& scan, long long mismatching_rows,
                    double duration_ms);

std::string ReportToJson(const Report& report, int indent = -1);
// A few lines a person reads.
std::string ReportToText(const Report& report);

}  // namespace tandem::verify
