// A rollback rehearsal's record: each phase run on a scratch copy, how long
// it took there and, extrapolated by the rows of the real tables, how long
// it would take on them. Kept in the state store (governance_store.h) as
// the reversibility evidence of the migration's file; the runbook and
// `rollback --dry-run` quote LastRehearsal().
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "common/status.h"

namespace tandem::core {

struct PhaseTiming {
  std::string phase;  // expand | backfill | verify | switch | switch back | rollback
  double seconds = 0;
  double extrapolated_seconds = 0;  // on the real tables
};

struct Rehearsal {
  // What was rehearsed: the plan's and its settings' checksum
  // (plan::BoundChecksum); records
  // from before rehearsals were bound to plans hold the file's.
  std::string checksum;
  std::string at;
  bool passed = false;
  std::string failure;  // why it stopped, when it did
  long long rows_copied = 0;
  long long rows_real = 0;
  std::vector<PhaseTiming> phases;
  // What the scratch copy left out (core/scratch.h: Scratch::notes).
  std::vector<std::string> copy_notes;

  // Whether this rehearsal rehearsed the plan with `plan_checksum` (or,
  // for an older record, the very file with `file_checksum`).
  bool Covers(const std::string& plan_checksum, const std::string& file_checksum) const {
    return checksum == plan_checksum || checksum == file_checksum;
  }
  // The fastest safe way back from switched: switch back, then rollback.
  double RollbackSeconds() const;
  double TotalSeconds() const;
  std::string ToJson() const;
  // kInternal when `json` is not a rehearsal's record.
  static Result<Rehearsal> FromJson(const std::string& json);
};

// The newest rehearsal of migration `name` of `schema`, if any.
Result<std::optional<Rehearsal>> LastRehearsal(backend::Connection& conn, backend::Engine engine,
                                               const std::string& state_schema,
                                               const std::string& schema, const std::string& name);

}  // namespace tandem::core
