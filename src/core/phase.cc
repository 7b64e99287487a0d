#include "core/phase.h"

#include <array>
#include <utility>
#include <vector>

#include "common/strings.h"

namespace tandem::core {
namespace {

constexpr std::array<std::pair<Phase, const char*>, 7> kNames = {{
    {Phase::kStarting, "starting"},
    {Phase::kActive, "active"},
    {Phase::kSwitched, "switched"},
    {Phase::kCompleting, "completing"},
    {Phase::kCompleted, "completed"},
    {Phase::kRollingBack, "rolling_back"},
    {Phase::kRolledBack, "rolled_back"},
}};

// Every legal move. Rollback is possible from each phase before the
// migration is over; whether complete's switch has run already (after
// which it is not) the runner decides from the steps done. A switched
// migration rolls back by flipping back to active first, so it has no
// direct move to rolling_back.
constexpr std::array<std::pair<Phase, Phase>, 10> kMoves = {{
    {Phase::kStarting, Phase::kActive},
    {Phase::kStarting, Phase::kRollingBack},
    {Phase::kActive, Phase::kSwitched},
    {Phase::kActive, Phase::kCompleting},
    {Phase::kActive, Phase::kRollingBack},
    {Phase::kSwitched, Phase::kActive},
    {Phase::kSwitched, Phase::kCompleting},
    {Phase::kCompleting, Phase::kCompleted},
    {Phase::kCompleting, Phase::kRollingBack},
    {Phase::kRollingBack, Phase::kRolledBack},
}};

std::string KnownNames() {
  std::string names;
  for (const auto& [phase, name] : kNames) names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

}  // namespace

const char* PhaseName(Phase phase) {
  for (const auto& [known, name] : kNames) {
    if (known == phase) return name;
  }
  return "unknown";
}

Result<Phase> ParsePhase(std::string_view name) {
  for (const auto& [phase, known] : kNames) {
    if (name == known) return phase;
  }
  return Status::Refused("unknown phase \"" + std::string(name) + "\" (tandem knows " +
                         KnownNames() + ")");
}

bool CanMove(Phase from, Phase to) {
  for (const auto& move : kMoves) {
    if (move.first == from && move.second == to) return true;
  }
  return false;
}

Status CheckMove(Phase from, Phase to) {
  if (CanMove(from, to)) return Status::Ok();
  return Status::Internal("a migration in phase " + std::string(PhaseName(from)) +
                          " cannot move to phase " + PhaseName(to) + "; nothing was recorded");
}

bool IsFinished(Phase phase) { return phase == Phase::kCompleted || phase == Phase::kRolledBack; }

std::string UnfinishedCondition(std::string_view column) {
  std::vector<std::string> finished;
  for (const auto& [phase, name] : kNames) {
    if (IsFinished(phase)) finished.push_back(QuoteLiteral(name));
  }
  return std::string(column) + " NOT IN (" + Join(finished, ", ") + ")";
}

}  // namespace tandem::core
