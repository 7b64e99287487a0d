// What the command line tells the runner: where to work, how DDL waits for
// its locks, and the flags that override the migration file's settings
// (run_settings.h merges them).
#pragma once

#include <atomic>
#include <optional>
#include <string>

#include "backends/backend.h"
#include "plan/migration.h"
#include "throttle/throttle.h"

namespace tandem::core {

struct RunnerOptions {
  std::string schema = "public";
  std::string state_schema = "tandem";
  backend::LockPolicy lock_policy;
  // Each overrides the file's `backfill:` setting of the same name.
  std::optional<int> batch_size;
  std::optional<Millis> target_chunk_time;
  std::optional<int> concurrency;
  std::optional<long long> vacuum_every;
  std::optional<Millis> reconnect_window;
  // The shared config file's sections (tandem.yaml), below the migration
  // file's own in precedence; empty when there is none.
  plan::Settings config;
  // Hooks given on the command line, called besides the files' hooks.
  plan::HookSettings hooks;
  // The lock flags as given (lock_policy holds them with the defaults);
  // unset ones leave the files' `lock:` values in force.
  bool lock_timeout_given = false;
  bool lock_deadline_given = false;
  // The throttle's flags; the file's `backfill:` section fills in the rest.
  plan::ThrottleSettings throttle;
  // --max-runtime: the whole migration's limit, over the settings'
  // run.max_runtime (core/run_deadline.h).
  std::optional<Millis> max_runtime;
  // Opens sessions with replicas given as --replica (or in the file).
  backfill::ReplicaConnector connect_replica;
  // Set (e.g. by a signal handler) to stop the backfill after its current chunk.
  const std::atomic<bool>* stop_requested = nullptr;
  // Start (and migrate) run statements rollback cannot undo instead of
  // refusing them (plan::RefuseIrreversible).
  bool allow_irreversible = false;
  // The runner of a rehearsal on a scratch copy: it asks for no approval,
  // schedule or sign-off (they govern the real database).
  bool rehearsal = false;
};

}  // namespace tandem::core
