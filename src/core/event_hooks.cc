#include "core/event_hooks.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/rfc3339.h"

namespace tandem::core {
namespace {

// A call that may take this long before it is stopped, unless set.
constexpr Millis kDefaultHookTimeout{5000};

template <typename T>
const T& FirstSet(const T& flags, const T& file, const T& config) {
  if (!flags.empty()) return flags;
  return file.empty() ? config : file;
}

bool Fires(const plan::HookSettings& hooks, const std::string& kind) {
  if (hooks.command.empty() && hooks.url.empty()) return false;
  return hooks.events.empty() ||
         std::find(hooks.events.begin(), hooks.events.end(), kind) != hooks.events.end();
}

}  // namespace

plan::HookSettings ResolveHooks(const plan::HookSettings& flags, const plan::HookSettings& file,
                                const plan::HookSettings& config) {
  plan::HookSettings hooks;
  hooks.command = FirstSet(flags.command, file.command, config.command);
  hooks.url = FirstSet(flags.url, file.url, config.url);
  hooks.events = FirstSet(flags.events, file.events, config.events);
  hooks.timeout = flags.timeout ? flags.timeout : (file.timeout ? file.timeout : config.timeout);
  return hooks;
}

std::string HookPayload(const MigrationRecord& migration, const Event& event,
                        const std::string& at) {
  using nlohmann::json;
  auto text_or_null = [](const std::string& text) { return text.empty() ? json() : json(text); };
  json payload = {{"event", event.kind},
                  {"migration", migration.name},
                  {"schema", migration.schema},
                  {"version_schema", text_or_null(migration.version_schema)},
                  {"phase", text_or_null(event.phase)},
                  {"at", at},
                  {"description", text_or_null(event.description)},
                  {"outcome", text_or_null(event.outcome)},
                  {"detail", text_or_null(event.detail)},
                  {"duration_ms", event.duration_ms}};
  return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

EventHooks::EventHooks(plan::HookSettings flags, plan::HookSettings config, Lookup lookup)
    : flags_(std::move(flags)), config_(std::move(config)), lookup_(std::move(lookup)) {}

const EventHooks::Resolved* EventHooks::Find(long long id) {
  auto known = migrations_.find(id);
  if (known != migrations_.end()) return known->second ? &*known->second : nullptr;
  std::optional<Resolved> resolved;
  auto found = lookup_(id);
  if (found.ok()) {
    resolved = Resolved{found->record, ResolveHooks(flags_, found->file_hooks, config_)};
  } else {
    spdlog::warn("hooks of migration {} are not called: {}", id, found.status().message());
  }
  auto [at, inserted] = migrations_.emplace(id, std::move(resolved));
  return at->second ? &*at->second : nullptr;
}

void EventHooks::Recorded(long long id, const Event& event) {
  if (event.kind == kHookEventKind) return;  // a failing hook must not call itself
  const Resolved* migration = Find(id);
  if (migration == nullptr || !Fires(migration->hooks, event.kind)) return;
  hooks::Targets targets{migration->hooks.command, migration->hooks.url,
                         migration->hooks.timeout.value_or(kDefaultHookTimeout)};
  dispatcher_.Post(targets, HookPayload(migration->record, event, NowRfc3339()));
}

}  // namespace tandem::core
