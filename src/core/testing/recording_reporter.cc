#include "core/testing/recording_reporter.h"

namespace tandem::core::testing {

void RecordingReporter::Add(ReportedCall call) {
  calls_.push_back(std::move(call));
  if (after_call) after_call(calls_.back());
}

void RecordingReporter::AddPhase(ReportedCall::Kind kind, const std::string& phase,
                                 const std::string& migration, Millis duration) {
  ReportedCall call;
  call.kind = kind;
  call.phase = phase;
  call.migration = migration;
  call.duration = duration;
  Add(std::move(call));
}

void RecordingReporter::PhaseStarted(const std::string& phase, const std::string& migration) {
  AddPhase(ReportedCall::Kind::kPhaseStarted, phase, migration, Millis(0));
}

void RecordingReporter::StepDone(const std::string& phase, int index, int total,
                                 const plan::Step& step, const backend::StepOutcome& outcome) {
  ReportedCall call;
  call.kind = ReportedCall::Kind::kStepDone;
  call.phase = phase;
  call.index = index;
  call.total = total;
  call.step = step.description;
  call.attempts = outcome.attempts;
  Add(std::move(call));
}

void RecordingReporter::StepRetrying(const plan::Step& step, int attempt, const Status& error,
                                     const std::vector<std::string>& blockers) {
  ReportedCall call;
  call.kind = ReportedCall::Kind::kStepRetrying;
  call.step = step.description;
  call.attempts = attempt;
  call.error = error;
  call.blockers = blockers;
  Add(std::move(call));
}

void RecordingReporter::BackfillProgress(const backfill::Progress& progress) {
  ReportedCall call;
  call.kind = ReportedCall::Kind::kBackfillProgress;
  call.progress = progress;
  Add(std::move(call));
}

void RecordingReporter::PhaseFinished(const std::string& phase, const std::string& migration,
                                      Millis duration) {
  AddPhase(ReportedCall::Kind::kPhaseFinished, phase, migration, duration);
}

void RecordingReporter::Note(const std::string& message) {
  ReportedCall call;
  call.kind = ReportedCall::Kind::kNote;
  call.message = message;
  Add(std::move(call));
}

std::vector<ReportedCall> RecordingReporter::Of(ReportedCall::Kind kind) const {
  std::vector<ReportedCall> found;
  for (const auto& call : calls_) {
    if (call.kind == kind) found.push_back(call);
  }
  return found;
}

std::vector<std::string> RecordingReporter::Outline() const {
  std::vector<std::string> lines;
  for (const auto& call : calls_) {
    switch (call.kind) {
      case ReportedCall::Kind::kPhaseStarted:
        lines.push_back(call.phase + " started");
        break;
      case ReportedCall::Kind::kStepDone:
        lines.push_back(call.phase + " step " + std::to_string(call.index) + "/" +
                        std::to_string(call.total));
        break;
      case ReportedCall::Kind::kPhaseFinished:
        lines.push_back(call.phase + " finished");
        break;
      default:
        break;
    }
  }
  return lines;
}

std::vector<std::string> RecordingReporter::Notes() const {
  std::vector<std::string> notes;
  for (const auto& call : Of(ReportedCall::Kind::kNote)) notes.push_back(call.message);
  return notes;
}

std::optional<std::string> RecordingReporter::NoteContaining(const std::string& text) const {
  for (const auto& note : Notes()) {
    if (note.find(text) != std::string::npos) return note;
  }
  return std::nullopt;
}

}  // namespace tandem::core::testing
