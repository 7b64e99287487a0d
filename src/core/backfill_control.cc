#include "core/backfill_control.h"

#include <thread>

#include "core/throttle_change.h"

namespace tandem::core {

// The descriptions of the two throttle events; ThrottleHolds reads them back.
constexpr char kThrottleStarted[] = "throttle started";
constexpr char kThrottleReleased[] = "throttle released";

bool ThrottleHolds(const RecordedEvent& newest) {
  return newest.event.description == kThrottleStarted;
}

std::function<Status()> ScanGate(backfill::Throttle& throttle,
                                 const std::atomic<bool>* stop_requested,
                                 std::function<void(const std::string&)> note,
                                 std::optional<RunDeadline> deadline) {
  auto shown = std::make_shared<std::pair<std::mutex, std::string>>();
  return [&throttle, stop_requested, note = std::move(note), shown, deadline]() -> Status {
    while (true) {
      if (stop_requested && stop_requested->load()) {
        return Status::Error(ErrorKind::kInterrupted, "the scan was interrupted by a signal");
      }
      if (deadline && deadline->Passed()) {
        return Status::Error(ErrorKind::kInterrupted, "the scan stopped: " + deadline->Reason());
      }
      backfill::Decision decision = throttle.Decide();
      if (decision.control == backfill::Control::kStop) {
        return Status::Error(ErrorKind::kInterrupted, "the scan stopped: " + decision.reason);
      }
      std::string reason = decision.control == backfill::Control::kContinue ? "" : decision.reason;
      {
        std::lock_guard<std::mutex> lock(shown->first);
        if (reason != shown->second) {
          shown->second = reason;
          note(reason.empty() ? "verify: throttle released" : "verify waits: " + reason);
        }
      }
      if (reason.empty()) return Status::Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
  };
}

namespace {

using backfill::Control;
using backfill::Decision;

// How often the pause flag is read from the state store.
constexpr std::chrono::seconds kPausePollInterval{1};

}  // namespace

BackfillControl::BackfillControl(StateStore& state, long long migration_id,
                                 const std::atomic<bool>* stop_requested,
                                 std::unique_ptr<backfill::Throttle> throttle,
                                 std::function<Status()> keep_sessions, Millis reconnect_window)
    : state_(state),
      migration_id_(migration_id),
      stop_requested_(stop_requested),
      throttle_(std::move(throttle)),
      keep_sessions_(std::move(keep_sessions)),
      reconnect_window_(reconnect_window),
      pause_asked_at_(Clock::now() - kPausePollInterval) {}

BackfillControl::~BackfillControl() {
  std::lock_guard<std::mutex> lock(mutex_);
  NoteThrottle({});
}

// Runs with the pause poll, before it: the pause flag is read through the
// session this keeps.
Decision BackfillControl::Sessions() {
  Status kept = keep_sessions_ ? keep_sessions_() : Status::Ok();
  if (kept.ok()) {
    unreachable_since_.reset();
    return {};
  }
  if (kept.kind() == ErrorKind::kBusy) return {Control::kStop, kept.message()};
  if (!unreachable_since_) unreachable_since_ = Clock::now();
  if (Clock::now() - *unreachable_since_ >= reconnect_window_) {
    return {Control::kStop,
            "the database stayed unreachable for longer than the reconnect "
            "window (" +
                FormatDuration(reconnect_window_) + ", --reconnect-window): " + kept.message()};
  }
  return {Control::kThrottle, "reconnecting: " + kept.message()};
}

void BackfillControl::FollowThrottleChanges() {
  if (!throttle_) return;
  auto newest = state_.LastEvent(migration_id_, kThrottleChangeKind);
  if (!newest.ok()) return;  // read again at the next look
  if (!*newest || (*newest)->id == throttle_change_seen_) return;
  throttle_change_seen_ = (*newest)->id;
  Result<backfill::ThrottleChange> change = ParseThrottleChange((*newest)->event.detail);
  if (change.ok()) throttle_->Apply(*change);
}

bool BackfillControl::Paused() {
  if (Clock::now() - pause_asked_at_ >= kPausePollInterval) {
    pause_asked_at_ = Clock::now();
    sessions_ = Sessions();
    auto asked = state_.IsPaused(migration_id_);
    if (asked.ok()) paused_ = *asked;
    FollowThrottleChanges();
    if (alerts_) alerts_->Poll();
  }
  return paused_;
}

Decision BackfillControl::Decide() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stop_requested_ && stop_requested_->load()) {
    return {Control::kStop, "interrupted by a signal"};
  }
  if (deadline_ && deadline_->Passed()) return {Control::kStop, deadline_->Reason()};
  backfill::Verdict throttle = throttle_ ? throttle_->Judge() : backfill::Verdict();
  NoteThrottle(throttle);
  Decision pause;
  if (Paused()) pause = {Control::kPause, "paused: `tandem resume` continues"};
  return backfill::Strongest({pause, throttle.decision, sessions_});
}

// Records a hold when a throttle starts holding the backfill, and its end
// (with how long it held) when it lets go or another throttle takes over.
void BackfillControl::NoteThrottle(const backfill::Verdict& verdict) {
  bool holds = verdict.decision.control == Control::kThrottle;
  std::string by = holds ? verdict.by : "";
  if (by == throttled_by_) return;
  if (!throttled_by_.empty()) {
    double held_ms =
        std::chrono::duration<double, std::milli>(Clock::now() - throttled_since_).count();
    (void)state_.Append(migration_id_, {.phase = "backfill",
                                        .kind = "throttle",
                                        .description = kThrottleReleased,
                                        .duration_ms = held_ms,
                                        .outcome = "ok",
                                        .detail = throttled_reason_});
  }
  throttled_by_ = by;
  throttled_reason_ = holds ? verdict.decision.reason : "";
  if (!holds) return;
  throttled_since_ = Clock::now();
  (void)state_.Append(migration_id_, {.phase = "backfill",
                                      .kind = "throttle",
                                      .description = kThrottleStarted,
                                      .outcome = "throttled",
                                      .detail = throttled_reason_});
}

void BackfillControl::ChunkDone(long long rows) {
  if (throttle_) throttle_->RowsDone(rows);  // the throttle has a lock of its own
}

}  // namespace tandem::core
