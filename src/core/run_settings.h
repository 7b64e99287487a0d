// A migration's settings as a run uses them: the command line's flags
// (RunnerOptions) over the migration file's own sections (`backfill:`,
// `verify:`, `lock:`...) over the shared config file's (tandem.yaml) over
// the defaults, the engine's where it has its own.
#pragma once

#include <optional>
#include <string>

#include "backfill/types.h"
#include "core/runner_options.h"
#include "core/state_store.h"
#include "observe/window.h"
#include "plan/migration.h"
#include "verify/types.h"

namespace tandem::core {

// `file` over `config`, key by key. Invariants name a migration's tables,
// so only the file's count.
plan::Settings Layered(const plan::Settings& file, const plan::Settings& config);
// How DDL steps wait for their locks: flags given over `layered`'s `lock:`
// over the defaults.
backend::LockPolicy LockPolicyOf(const RunnerOptions& flags, const plan::Settings& layered);

// The backfill's options, without the callbacks the runner adds.
backfill::Options BackfillSettings(const RunnerOptions& flags, const plan::Settings& file,
                                   Millis engine_chunk_time);
// `options` (verify's flags) with the file's thresholds.
verify::Options VerifySettings(verify::Options options, const plan::Settings& file);
// The migration file's own settings, from the copy kept in the state store.
Result<plan::Settings> SettingsOf(const MigrationRecord& record);
// Those over the shared config file's (`config`).
Result<plan::Settings> SettingsOf(const MigrationRecord& record, const plan::Settings& config);
// The migration file's own settings, read again from the copy of the file
// the state store keeps (`name` for messages).
Result<plan::Settings> StoredSettings(const std::string& file_content, const std::string& name);
// The observation window: --observe (`observe`) over the file's `switch:`
// section; a ramp lasts at least a step per share. nullopt when neither
// asks for a window.
std::optional<observe::WindowPlan> WindowSettings(std::optional<Millis> observe,
                                                  const plan::SwitchSettings& file);

}  // namespace tandem::core
