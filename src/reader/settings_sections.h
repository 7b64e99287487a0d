// tandem's own sections of a migration file, which pgroll ignores:
// backfill, verify, lock, run, metrics, alerts, hooks and lint. The shared config
// file (config_file.h) is made of the same sections. Internal to the reader
// module.
#pragma once

#include <string_view>

#include "plan/migration.h"
#include "reader/node_reader.h"

namespace tandem::reader {

// The top-level keys of tandem's sections.
inline constexpr std::string_view kSettingsSections[] = {"backfill", "verify", "lock",  "run",
                                                         "metrics",  "alerts", "hooks", "lint"};

// The keys of each section. backfill: the engine's, then the throttle's
// (throttle_settings.cc).
inline constexpr std::string_view kBackfillKeys[] = {
    "batch_size",      "concurrency",     "target_chunk_time",   "vacuum_every",
    "max_replica_lag", "replicas",        "max_active_sessions", "max_lock_waiters",
    "throttle_query",  "throttle_above",  "max_rows_per_second", "window",
    "max_runtime",     "reconnect_window"};
inline constexpr std::string_view kVerifyKeys[] = {"parity_threshold", "drift_threshold",
                                                   "invariants"};
inline constexpr std::string_view kInvariantKeys[] = {"name", "table", "check"};
inline constexpr std::string_view kLockKeys[] = {"timeout", "deadline", "retry_backoff",
                                                 "retry_attempts"};
inline constexpr std::string_view kRunKeys[] = {"dry_run", "require_approval", "max_runtime"};
inline constexpr std::string_view kMetricsKeys[] = {"prefix"};
inline constexpr std::string_view kAlertKeys[] = {"error_rate", "replica_lag"};
inline constexpr std::string_view kLintKeys[] = {"disable"};
inline constexpr std::string_view kHookKeys[] = {"command", "url", "timeout", "events"};

// Reads every section of kSettingsSections that `top` has into `settings`;
// a bad value is recorded on `top`'s errors at its file:line:column.
void ReadSettings(const MapReader& top, plan::Settings* settings);

}  // namespace tandem::reader
