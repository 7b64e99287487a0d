// Hooks on recorded events: every event the state store appends (phase
// changes, steps, gates, throttle on/off, verification, switch and flip
// back, backfill finished...) is offered here, and sent as one JSON object
// to the hooks in force for its migration: the command line's over the
// migration file's `hooks:` over the config file's (each key on its own).
//
// The payload, documented in the README ("Hooks"):
//   {"event": kind, "migration": name, "schema": migrated schema,
//    "version_schema": ..., "phase": part of the lifecycle, "at": RFC 3339,
//    "description": ..., "outcome": ..., "detail": text or null,
//    "duration_ms": number}
//
// Calls are made off the recording thread (hooks/dispatcher.h); a failure
// is logged, counted, and recorded as an event of kind "hook" (which
// itself calls no hook). Not thread-safe: called where events are appended.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/state_store.h"
#include "hooks/dispatcher.h"
#include "plan/migration.h"

namespace tandem::core {

// The kind of the events that record a failed hook.
inline constexpr char kHookEventKind[] = "hook";

// `flags` over `file` over `config`, key by key.
plan::HookSettings ResolveHooks(const plan::HookSettings& flags, const plan::HookSettings& file,
                                const plan::HookSettings& config);

// The JSON object a hook receives (one line, no newline).
std::string HookPayload(const MigrationRecord& migration, const Event& event,
                        const std::string& at);

class EventHooks {
 public:
  // What the hooks of a migration need from the state store: its record
  // and its file's hooks section.
  struct Migration {
    MigrationRecord record;
    plan::HookSettings file_hooks;
  };
  using Lookup = std::function<Result<Migration>(long long id)>;

  EventHooks(plan::HookSettings flags, plan::HookSettings config, Lookup lookup);

  // Offers a recorded event of migration `id` to its hooks.
  void Recorded(long long id, const Event& event);
  // Failures not recorded yet (see Dispatcher::TakeFailures).
  std::vector<std::string> TakeFailures() { return dispatcher_.TakeFailures(); }
  // Waits for the queued calls (each within its timeout).
  void Drain() { dispatcher_.Drain(); }

 private:
  struct Resolved {
    MigrationRecord record;
    plan::HookSettings hooks;
  };
  const Resolved* Find(long long id);

  plan::HookSettings flags_;
  plan::HookSettings config_;
  Lookup lookup_;
  std::map<long long, std::optional<Resolved>> migrations_;
  hooks::Dispatcher dispatcher_;
};

}  // namespace tandem::core
