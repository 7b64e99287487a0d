// What the observation window watches after the read switch: each engine's
// own counters (EngineSignals) and the user's probes (UserProbe), read into
// Readings that say the value, its threshold and whether it is healthy.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "common/duration.h"

namespace tandem::observe {

// Opens a session with the migrated database.
using Connector = std::function<Result<std::unique_ptr<backend::Connection>>()>;

// One signal against its threshold. A value above the threshold breaches
// (below it, for a probe with `min`); no value means nothing to measure yet
// (no statement touched the tables), which is healthy.
struct Reading {
  std::string name{};
  std::optional<double> value{};
  std::optional<double> threshold{};
  bool ok = true;
  std::string note{};  // why it breached, or what it measures
};

// An engine's cumulative counters at one moment (PostgreSQL's statistics
// views). Rates are differences of two of them.
struct Counters {
  double rollbacks = 0;   // transactions rolled back (pg_stat_database.xact_rollback)
  double commits = 0;     // transactions committed (pg_stat_database.xact_commit)
  double deadlocks = 0;   // pg_stat_database.deadlocks
  double lock_waits = 0;  // sessions waiting for a lock now (not cumulative)
  // Calls and total execution time of the statements that touch the
  // migrated tables (pg_stat_statements), where it is installed.
  std::optional<double> calls{};
  std::optional<double> exec_ms{};
};

// An engine's statistics. Not thread-safe; keeps one session of its own.
class EngineSignals {
 public:
  virtual ~EngineSignals() = default;
  virtual Result<Counters> Take() = 0;
  // Said once before the window: what is not watched and why, e.g.
  // "pg_stat_statements is not installed".
  virtual std::vector<std::string> Gaps() const = 0;
};

// A user probe from the file. Read() returns an error when it cannot
// measure (a failing query, an unreachable URL): the window counts that as
// a breach, and before the switch it refuses the switch.
class UserProbe {
 public:
  virtual ~UserProbe() = default;
  virtual Result<Reading> Read() = 0;
};

// How far above its baseline each engine signal may go before the window
// breaches. Defaults: README, "The observation window".
struct Allowances {
  double rollback_rate = 1;  // per second
  double deadlocks = 0;
  double lock_waits = 3;
  double latency_ratio = 2;
};

}  // namespace tandem::observe
