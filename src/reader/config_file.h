// The shared config file a team keeps beside its migrations (tandem.yaml in
// the working directory, or --config FILE): tandem's own sections exactly as
// a migration file has them (backfill, verify, lock, run, metrics, alerts,
// hooks) and nothing else. A migration file's section overrides it key by
// key, and a command-line flag overrides both (core/run_settings.h).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "plan/migration.h"

namespace tandem::reader {

inline constexpr char kDefaultConfigFile[] = "tandem.yaml";

// Errors are kInvalidInput at FILE:LINE:COL, as a migration file's.
Result<plan::Settings> ParseConfig(std::string_view content, const std::string& file_name);
Result<plan::Settings> ReadConfigFile(const std::string& path);

}  // namespace tandem::reader
