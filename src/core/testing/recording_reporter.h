// A Reporter for tests: keeps every call with its arguments, in the order
// the runner made them, so a test can assert what a person would have been
// told (phases, steps, notes) without parsing terminal output.
//
// Not thread-safe: the Runner makes every call (the backfill's progress
// included) on the thread that called it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/reporter.h"

namespace tandem::core::testing {

// One call of a Reporter method. Only the fields of its kind are set.
struct ReportedCall {
  enum class Kind {
    kPhaseStarted,
    kStepDone,
    kStepRetrying,
    kBackfillProgress,
    kPhaseFinished,
    kNote
  };
  Kind kind = Kind::kNote;
  std::string phase;      // kPhaseStarted, kStepDone, kPhaseFinished
  std::string migration;  // kPhaseStarted, kPhaseFinished
  int index = 0;          // kStepDone: 1-based, of `total`
  int total = 0;
  std::string step;  // kStepDone, kStepRetrying: the step's description
  int attempts = 0;  // kStepDone: of the outcome; kStepRetrying: the attempt that failed
  Status error;      // kStepRetrying
  std::vector<std::string> blockers;
  backfill::Progress progress;  // kBackfillProgress
  Millis duration{0};           // kPhaseFinished
  std::string message;          // kNote
};

class RecordingReporter : public Reporter {
 public:
  void PhaseStarted(const std::string& phase, const std::string& migration) override;
  void StepDone(const std::string& phase, int index, int total, const plan::Step& step,
                const backend::StepOutcome& outcome) override;
  void StepRetrying(const plan::Step& step, int attempt, const Status& error,
                    const std::vector<std::string>& blockers) override;
  void BackfillProgress(const backfill::Progress& progress) override;
  void PhaseFinished(const std::string& phase, const std::string& migration,
                     Millis duration) override;
  void Note(const std::string& message) override;

  const std::vector<ReportedCall>& calls() const { return calls_; }
  std::vector<ReportedCall> Of(ReportedCall::Kind kind) const;
  // Phases and steps in order, one line each: "expand started",
  // "expand step 2/5", "expand finished"; progress and notes left out.
  std::vector<std::string> Outline() const;
  std::vector<std::string> Notes() const;
  // The first note that contains `text`.
  std::optional<std::string> NoteContaining(const std::string& text) const;

  // Called with each call once it is recorded. A test may throw from it to
  // stop the runner right there, as a process killed at that point would.
  std::function<void(const ReportedCall&)> after_call;

 private:
  void Add(ReportedCall call);
  void AddPhase(ReportedCall::Kind kind, const std::string& phase, const std::string& migration,
                Millis duration);
  std::vector<ReportedCall> calls_;
};

}  // namespace tandem::core::testing
