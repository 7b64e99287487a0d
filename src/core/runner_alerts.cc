// Runner: the watch of the file's alert thresholds during a backfill and a
// switch's observation window (core/alerts.h).
#include "core/run_settings.h"
#include "core/runner.h"

namespace tandem::core {

Result<std::unique_ptr<AlertWatch>> Runner::MakeAlertWatch(const MigrationRecord& record,
                                                           const plan::Settings& settings,
                                                           const std::string& phase) {
  std::vector<AlertThreshold> thresholds = AlertThresholds(settings);
  if (thresholds.empty()) return std::unique_ptr<AlertWatch>();
  AlertWatch::Sources sources;
  // Only the database's counters: no plan's tables, so no statement query.
  sources.signals = engine_->MakeSignals([this] { return database_.Connect(); }, plan::Plan{});
  // An engine without counters (SQLite) has no replicas either.
  if (!sources.signals) return std::unique_ptr<AlertWatch>();
  // A throttle of its own measures the lag, with the lag limits only: the
  // backfill's throttle (or one with every setting) ends its look at a
  // window, time limit, rate cap or other probe that holds, and would leave
  // the lag unmeasured meanwhile.
  TANDEM_ASSIGN_OR_RETURN(std::shared_ptr<backfill::Throttle> lag,
                          MakeThrottle(settings, /*lag_only=*/true));
  sources.replica_lag_ms = [lag] {
    (void)lag->Judge();
    return lag->LastMeasured(backfill::kReplicaLagProbe);
  };
  TANDEM_ASSIGN_OR_RETURN(std::vector<RecordedEvent> events, state_->Events(record.id));
  long long id = record.id;
  // A backfill and a `tandem serve` may watch the same database: a change
  // the log already holds (the other one recorded it) is not recorded twice.
  auto record_change = [this, id, thresholds](const std::string& name, const Event& e) {
    Result<std::vector<RecordedEvent>> now = state_->Events(id);
    if (now.ok()) {
      for (const AlertState& state : AlertStates(thresholds, *now)) {
        if (state.name == name && state.firing == (e.outcome == "fired")) return;
      }
    }
    (void)Record(id, e);
  };
  return std::make_unique<AlertWatch>(thresholds, events, std::move(sources), phase,
                                      std::move(record_change));
}

Result<std::unique_ptr<AlertWatch>> Runner::WatchAlerts() {
  TANDEM_ASSIGN_OR_RETURN(bool recorded, OpenRecords());
  if (!recorded) return std::unique_ptr<AlertWatch>();
  TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> active, state_->Active(options_.schema));
  if (!active) return std::unique_ptr<AlertWatch>();
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(*active, options_.config));
  if (AlertThresholds(settings).empty()) return std::unique_ptr<AlertWatch>();
  return MakeAlertWatch(*active, settings, PhaseName(active->phase));
}

}  // namespace tandem::core
