// The phases of a migration and the moves between them, in one table.
//
//                   switch     complete
//   starting --> active <---> switched --> completing --> completed
//       \          |      --back              |
//        \         v                          v
//         `----> rolling_back <----------------'
//                   |
//                   v
//               rolled_back
//
// "switched": the live schema shows the new version while dual-write keeps
// the old version's columns current. `rollback` there moves back to active
// (the read switch flipped back); a second `rollback` undoes the expand.
// `complete` from active keeps working as before: switch and contract in
// one go.
//
// "starting" also covers a start that failed part-way (resumable, or undone
// by rollback). A migration is recorded in "starting"; every later change of
// phase is a move this table allows, or it is not written at all.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tandem::core {

enum class Phase {
  kStarting,
  kActive,
  kSwitched,
  kCompleting,
  kCompleted,
  kRollingBack,
  kRolledBack,
};

// The phase as stored in the state store ("rolling_back"); databases of
// earlier versions hold the same words.
const char* PhaseName(Phase phase);
// The stored text back as a phase; kRefused naming the word and the known
// phases when it is none of them (records edited, or written by a newer
// tandem).
Result<Phase> ParsePhase(std::string_view name);
// The names code written before the enum uses, e.g. in tests.
inline constexpr Phase kPhaseStarting = Phase::kStarting;
inline constexpr Phase kPhaseActive = Phase::kActive;
inline constexpr Phase kPhaseSwitched = Phase::kSwitched;
inline constexpr Phase kPhaseCompleting = Phase::kCompleting;
inline constexpr Phase kPhaseCompleted = Phase::kCompleted;
inline constexpr Phase kPhaseRollingBack = Phase::kRollingBack;
inline constexpr Phase kPhaseRolledBack = Phase::kRolledBack;

// Whether a migration in `from` may move to `to`.
bool CanMove(Phase from, Phase to);
// kInternal naming both phases when CanMove(from, to) is false.
Status CheckMove(Phase from, Phase to);
// Completed and rolled back: the migration is over.
bool IsFinished(Phase phase);
// An SQL condition on the stored phase in `column` holding a migration that
// is not finished: the one in progress.
std::string UnfinishedCondition(std::string_view column);

// For test failure messages.
inline std::ostream& operator<<(std::ostream& out, Phase phase) { return out << PhaseName(phase); }

}  // namespace tandem::core
