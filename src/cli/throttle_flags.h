// The backfill's throttle flags (start, backfill, migrate): declared on a
// subcommand, then parsed into plan::ThrottleSettings; the file's
// `backfill:` section fills in what the flags leave unset.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "plan/migration.h"
#include "throttle/throttle.h"

namespace tandem::cli {

// As typed; parsed (and refused with exit 2) by ParseThrottleFlags.
struct ThrottleFlags {
  std::string max_replica_lag;
  std::vector<std::string> replicas;
  std::string max_active_sessions;
  std::string max_lock_waiters;
  std::string throttle_query;
  std::string throttle_above;
  std::string max_rows_per_second;
  std::string window;
  std::string max_runtime;
};

void AddThrottleFlags(CLI::App* command, ThrottleFlags* flags);
Result<plan::ThrottleSettings> ParseThrottleFlags(const ThrottleFlags& flags);
// Opens sessions with replicas given as --replica, giving up on an
// unreachable one after a few seconds (the throttle then fails closed).
backfill::ReplicaConnector ReplicaSessions();

}  // namespace tandem::cli
