// Runner: the watch of the file's alert thresholds during a backfill and a
// switch's observation window (core/alerts.h).
#include "core/runner.h"

namespace tandem::core {

Result<std::unique_ptr<AlertWatch>> Runner::MakeAlertWatch(
    const MigrationRecord& record, const plan::Settings& settings, const std::string& phase,
    std::function<std::optional<double>()> replica_lag_ms) {
  std::vector<AlertThreshold> thresholds = AlertThresholds(settings);
  if (thresholds.empty()) return std::unique_ptr<AlertWatch>();
  AlertWatch::Sources sources;
  // Only the database's counters: no plan's tables, so no statement query.
  sources.signals = engine_->MakeSignals([this] { return database_.Connect(); }, plan::Plan{});
  // An engine without counters (SQLite) has no replicas either.
  if (!sources.signals) return std::unique_ptr<AlertWatch>();
  sources.replica_lag_ms = std::move(replica_lag_ms);
  TANDEM_ASSIGN_OR_RETURN(std::vector<RecordedEvent> events, state_->Events(record.id));
  long long id = record.id;
  return std::make_unique<AlertWatch>(std::move(thresholds), events, std::move(sources), phase,
                                      [this, id](const Event& e) { (void)Record(id, e); });
}

}  // namespace tandem::core
