// What the runner tells a person (or a machine) while it works. The CLI
// implements it for terminals and for --json; tests record it.
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"
#include "backfill/types.h"
#include "plan/plan.h"

namespace tandem::core {

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void PhaseStarted(const std::string& phase, const std::string& migration) = 0;
  virtual void StepDone(const std::string& phase, int index, int total, const plan::Step& step,
                        const backend::StepOutcome& outcome) = 0;
  virtual void StepRetrying(const plan::Step& step, int attempt, const Status& error,
                            const std::vector<std::string>& blockers) = 0;
  virtual void BackfillProgress(const backfill::Progress& progress) = 0;
  virtual void PhaseFinished(const std::string& phase, const std::string& migration,
                             Millis duration) = 0;
  virtual void Note(const std::string& message) = 0;
};

// A Reporter that says nothing.
class SilentReporter : public Reporter {
 public:
  void PhaseStarted(const std::string&, const std::string&) override {}
  void StepDone(const std::string&, int, int, const plan::Step&,
                const backend::StepOutcome&) override {}
  void StepRetrying(const plan::Step&, int, const Status&,
                    const std::vector<std::string>&) override {}
  void BackfillProgress(const backfill::Progress&) override {}
  void PhaseFinished(const std::string&, const std::string&, Millis) override {}
  void Note(const std::string&) override {}
};

}  // namespace tandem::core
