#include "backfill/control_wait.h"

#include <thread>

namespace tandem::backfill {

Status WaitForControl(const Options& options, const std::string& table, Progress& progress,
                      const ProgressCallback& on_progress) {
  while (options.control) {
    Decision decision = options.control();
    if (decision.control == Control::kStop) {
      return Status::Error(ErrorKind::kInterrupted,
                           "backfill of " + table + " stopped (" +
                               (decision.reason.empty() ? "on request" : decision.reason) +
                               ") after " + std::to_string(progress.rows_scanned) +
                               " rows; the rows done so far are kept. Run `tandem backfill` to "
                               "continue");
    }
    bool waiting = decision.control != Control::kContinue;
    std::string reason = waiting ? decision.reason : "";
    if (waiting != progress.paused || reason != progress.waiting_reason) {
      progress.paused = decision.control == Control::kPause;
      progress.waiting_reason = reason;
      if (on_progress) on_progress(progress);
    }
    if (!waiting) return Status::Ok();
    std::this_thread::sleep_for(decision.control == Control::kPause ? Millis(1000) : Millis(250));
  }
  return Status::Ok();
}

}  // namespace tandem::backfill
