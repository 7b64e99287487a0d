// Runner: the observation window of the read switch. The baseline is taken
// before the switch (a probe that cannot measure refuses the switch, which
// then changes nothing); after it, samples until the window ends clean or a
// signal breaches, when the live schema flips back to the old version and
// the ramp's flag goes to 0%. Every window's result is an event of kind
// "observe" (observe/evidence.h), the evidence complete asks for.
#include <chrono>
#include <ctime>

#include "common/flag_decision.h"
#include "core/flags.h"
#include "core/run_settings.h"
#include "core/runner.h"
#include "observe/probes.h"

namespace tandem::core {
namespace {

constexpr char kDefaultRampFlag[] = "read_new";
// How long after a window's end its result may take to be recorded.
constexpr long long kResultGrace = 30;

long long UnixNow() { return static_cast<long long>(std::time(nullptr)); }

bool IsSwitchToNew(const RecordedEvent& e) {
  return e.event.kind == "switch" && e.event.detail == "new";
}

bool IsWindow(const RecordedEvent& e) {
  return e.event.kind == observe::kObserveKind || e.event.kind == observe::kObservingKind;
}

// The events after the newest switch to the new version (all of them when
// there was none): where that switch's window is.
std::vector<RecordedEvent> SinceNewestSwitch(const std::vector<RecordedEvent>& events,
                                             bool* switched) {
  size_t from = 0;
  *switched = false;
  for (size_t i = 0; i < events.size(); ++i) {
    if (IsSwitchToNew(events[i])) {
      from = i + 1;
      *switched = true;
    }
  }
  return {events.begin() + static_cast<long>(from), events.end()};
}

}  // namespace

Result<std::unique_ptr<observe::Window>> Runner::PrepareWindow(const MigrationRecord& record,
                                                               const plan::Plan& plan,
                                                               const SwitchOptions& options) {
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings,
                          StoredSettings(record.file_content, record.name));
  const plan::SwitchSettings& file = settings.switch_to_new;
  std::optional<observe::WindowPlan> window_plan = WindowSettings(options.observe, file);
  if (!window_plan) return std::unique_ptr<observe::Window>();
  std::string flag = file.flag.empty() ? kDefaultRampFlag : file.flag;
  if (!file.ramp.empty()) TANDEM_RETURN_IF_ERROR(CheckFlagName(flag));
  observe::Connector connect = [this] { return database_.Connect(); };
  std::vector<std::unique_ptr<observe::UserProbe>> probes;
  for (const auto& probe : file.probes) {
    probes.push_back(observe::MakeProbe(probe, connect, engine_->ProbeSessionSetup()));
  }
  observe::WindowHooks hooks;
  hooks.stop = options_.stop_requested;
  TANDEM_ASSIGN_OR_RETURN(std::optional<RunDeadline> deadline, Deadline(record));
  if (deadline) hooks.stop_at = deadline->SteadyAt();
  constexpr char kBeforeSwitch[] = "the observation window's baseline (the switch did not happen)";
  constexpr char kResume[] = "tandem switch --observe DURATION";
  // Past the limit already: no switch whose window could not be watched.
  if (deadline && deadline->Passed()) {
    return StopAtDeadline(record, deadline, Status::Ok(), kBeforeSwitch, kResume);
  }
  Millis length = window_plan->length;
  long long id = record.id;
  // The file's alert thresholds are watched at each sample too.
  TANDEM_ASSIGN_OR_RETURN(plan::Settings layered, SettingsOf(record, options_.config));
  TANDEM_ASSIGN_OR_RETURN(std::shared_ptr<AlertWatch> alerts,
                          MakeAlertWatch(record, layered, "switch"));
  hooks.sampled = [this, id, length, alerts](Millis elapsed,
                                             const std::vector<observe::Reading>& r) {
    if (alerts) alerts->Poll();
    long long ends_at = UnixNow() + (length - elapsed).count() / 1000;
    (void)Record(id, {.phase = "switch",
                      .kind = observe::kObservingKind,
                      .description =
                          "observing: " + FormatDuration(elapsed) + " of " + FormatDuration(length),
                      .outcome = "ok",
                      .detail = observe::SampleJson(r, elapsed, length, ends_at)});
  };
  if (!file.ramp.empty()) {
    auto flags = std::make_shared<Flags>(database_, options_.schema, options_.state_schema);
    hooks.ramp_to = [this, flags, flag](int basis_points) {
      reporter_.Note("ramp: " + flag + " set to " + FormatFlagShare(basis_points));
      return flags->Set(flag, basis_points).status();
    };
  }
  auto window = std::make_unique<observe::Window>(*window_plan, engine_->MakeSignals(connect, plan),
                                                  std::move(probes), std::move(hooks));
  reporter_.Note("measuring the baseline for " + FormatDuration(observe::BaselineLength(length)) +
                 " before the switch");
  Status baseline =
      window->CaptureBaseline([this](const std::string& gap) { reporter_.Note(gap); });
  if (!baseline.ok()) {
    return StopAtDeadline(record, deadline, baseline, kBeforeSwitch, kResume);
  }
  return window;
}

Status Runner::ResetRamp(const MigrationRecord& record) {
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings,
                          StoredSettings(record.file_content, record.name));
  const plan::SwitchSettings& file = settings.switch_to_new;
  if (file.ramp.empty()) return Status::Ok();
  std::string flag = file.flag.empty() ? kDefaultRampFlag : file.flag;
  Flags flags(database_, options_.schema, options_.state_schema);
  TANDEM_ASSIGN_OR_RETURN(MigrationFlags<FlagSetting> now, flags.Get(flag));
  if (now.flags.empty() || now.flags.front().basis_points == 0) return Status::Ok();
  reporter_.Note("ramp: " + flag + " set to 0% (the old version is live again)");
  return flags.Set(flag, 0).status();
}

Status Runner::Observe(MigrationRecord& record, const plan::Plan& plan, observe::Window& window,
                       const SwitchOptions& options) {
  auto started = std::chrono::steady_clock::now();
  reporter_.PhaseStarted("observe", record.name);
  observe::Outcome outcome = window.Observe();
  TANDEM_RETURN_IF_ERROR(Record(
      record.id,
      {.phase = "switch",
       .kind = observe::kObserveKind,
       .description = outcome.clean ? "observation window clean" : "observation window failed",
       .duration_ms = static_cast<double>(outcome.elapsed.count()),
       .outcome = outcome.clean ? "ok" : "failed",
       .detail = observe::OutcomeJson(outcome, window.length())}));
  for (const auto& r : outcome.readings) reporter_.Note("  " + r.name + ": " + r.note);
  if (outcome.clean) {
    reporter_.Note("observation window clean: " + outcome.reason +
                   "; `tandem complete` may contract now");
    reporter_.PhaseFinished(
        "observe", record.name,
        std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started));
    return Status::Ok();
  }
  if (outcome.interrupted) {
    TANDEM_ASSIGN_OR_RETURN(std::optional<RunDeadline> deadline, Deadline(record));
    if (deadline && deadline->Passed()) {
      // The new version stays live and unwatched: name the way back too.
      Status stopped = StopAtDeadline(record, deadline, Status::Ok(), "the observation window",
                                      "tandem switch --observe DURATION");
      return Status::Error(stopped.kind(), stopped.message() +
                                               ". The new version stays live meanwhile; "
                                               "`tandem switch --back` flips back");
    }
    return Status::Error(ErrorKind::kInterrupted,
                         "observation window of \"" + record.name + "\" " + outcome.reason +
                             ". The new version stays live: run `tandem switch --observe DURATION` "
                             "for a clean window, or `tandem switch --back`");
  }
  std::string why = "observation window of \"" + record.name + "\" breached after " +
                    FormatDuration(outcome.elapsed) + ": " + outcome.reason;
  if (options.no_auto_back) {
    return Status::Refused(why +
                           ". The new version stays live (--no-auto-back): run `tandem "
                           "switch --back` to flip back, losing nothing");
  }
  reporter_.Note(why + "; flipping back to the old version");
  TANDEM_RETURN_IF_ERROR(SwitchBack(record, plan));
  return Status::Refused(why +
                         ". Flipped back to the old version; dual-write stayed on, so it holds "
                         "every write made meanwhile. Fix the cause, then `tandem switch` again "
                         "(or `tandem rollback`)");
}

Result<bool> Runner::CleanWindowRecorded(const MigrationRecord& record) {
  TANDEM_RETURN_IF_ERROR(Connect());  // callable on its own, as readiness gates do
  TANDEM_ASSIGN_OR_RETURN(std::vector<RecordedEvent> events, state_->Events(record.id));
  bool switched = false;
  std::vector<RecordedEvent> since = SinceNewestSwitch(events, &switched);
  if (!switched) return false;
  for (const auto& e : since) {
    if (e.event.kind == observe::kObserveKind && e.event.outcome == "ok") return true;
  }
  return false;
}

Result<bool> Runner::WindowRequired(const MigrationRecord& record, bool* switched) {
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings,
                          StoredSettings(record.file_content, record.name));
  TANDEM_ASSIGN_OR_RETURN(std::vector<RecordedEvent> events, state_->Events(record.id));
  (void)SinceNewestSwitch(events, switched);
  return *switched || settings.switch_to_new.given;
}

Status Runner::GateOnWindow(const MigrationRecord& record, const CompleteOptions& options) {
  bool switched = false;
  TANDEM_ASSIGN_OR_RETURN(bool required, WindowRequired(record, &switched));
  if (!required) return Status::Ok();
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings,
                          StoredSettings(record.file_content, record.name));
  TANDEM_ASSIGN_OR_RETURN(bool clean, CleanWindowRecorded(record));
  if (clean) return Status::Ok();
  if (options.force) return RecordForced(record, options, "no clean observation window");
  bool file_window = WindowSettings(std::nullopt, settings.switch_to_new).has_value();
  std::string watch = file_window ? "`tandem switch` (the file's `switch:` section sets the window)"
                                  : "`tandem switch --observe DURATION` (e.g. 30m)";
  return Status::Refused(
      "no clean observation window of \"" + record.name + "\" is recorded since its newest " +
      (switched ? "switch" : "start (its file has a `switch:` section)") +
      ", so nothing shows the new version ran without an error spike. Run " + watch +
      " and let it end clean, or `tandem complete --force --reason TEXT` to override");
}

Status Runner::ReadWindow(const MigrationRecord& record, StatusReport& report) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<RecordedEvent> events, state_->Events(record.id));
  bool switched = false;
  std::vector<RecordedEvent> since = SinceNewestSwitch(events, &switched);
  const RecordedEvent* newest = nullptr;
  for (const auto& e : since) {
    if (IsWindow(e)) newest = &e;
  }
  if (!switched || newest == nullptr) return Status::Ok();
  TANDEM_ASSIGN_OR_RETURN(observe::WindowView view,
                          observe::ReadWindowDetail(newest->event.detail));
  if (newest->event.kind == observe::kObserveKind) {
    report.window_state = newest->event.outcome == "ok" ? "clean" : "breached";
    if (view.reason.find("interrupted") == 0) report.window_state = "stopped";
  } else {
    long long left = view.ends_at_unix.value_or(0) - UnixNow();
    // A runner that died mid-window leaves its last sample behind, and its
    // end passes with no result.
    report.window_state = left > -kResultGrace ? "running" : "stopped";
    if (report.window_state == "running") report.window_left_s = std::max(0LL, left);
  }
  report.window = std::move(view);
  return Status::Ok();
}

}  // namespace tandem::core
