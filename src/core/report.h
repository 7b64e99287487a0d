// A migration's record as a report (`tandem report`): each phase with its
// start, end and duration, the backfill's rows and throttling, the
// verification passes, gate decisions, sign-offs, notes, and a
// retrospective with what tandem measured filled in and blanks for people.
// A view of the state store: nothing is kept twice, and it outlives the
// migration as the state schema does.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backfill/types.h"
#include "core/rehearsal.h"
#include "core/state_store.h"
#include "gates/types.h"

namespace tandem::core {

// What a report is made of, read from the state store by Runner::Archive.
struct MigrationArchive {
  MigrationRecord record;
  std::vector<RecordedEvent> events;  // oldest first
  std::vector<VerifyRun> verify_runs;
  std::vector<gates::SignoffRecord> signoffs;
  std::optional<Rehearsal> rehearsal;
};

// The figures of a backfill run's chunk durations that its recorded event's
// detail ends with, "; chunk p99 12 ms, mean 4.2 ms, max 20 ms" ("" when
// no chunk was timed); the report reads them back from there.
std::string ChunkFiguresText(const backfill::Progress& progress);

std::string ReportToMarkdown(const MigrationArchive& archive);
// One JSON object (one line).
std::string ReportToJson(const MigrationArchive& archive);

}  // namespace tandem::core
