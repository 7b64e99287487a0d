// `tandem config [FILE]` and the shared config file. Every setting a team
// standardizes on, in one table: its key (the same in a migration file's
// sections and in tandem.yaml), the flag that overrides it, its default and
// what uses it. The README's table "Settings" says the same.
#include <cstdio>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/authoring_commands.h"
#include "common/duration.h"
#include "common/strings.h"
#include "reader/config_file.h"
#include "reader/reader.h"

namespace tandem::cli {
namespace {

using json = nlohmann::ordered_json;
using Get = std::function<std::optional<std::string>(const plan::Settings&)>;

struct Row {
  const char* key;
  const char* flag;  // "" when no flag overrides it
  const char* default_value;
  const char* used_by;
  Get get;
};

template <typename T>
std::optional<std::string> Shown(const std::optional<T>& value) {
  if (!value) return std::nullopt;
  if constexpr (std::is_same_v<T, Millis>) {
    return FormatDuration(*value);
  } else if constexpr (std::is_same_v<T, bool>) {
    return *value ? "true" : "false";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return *value;
  } else {
    std::string text = std::to_string(*value);
    if constexpr (std::is_floating_point_v<T>) {  // 5000.000000 -> 5000
      text.erase(text.find_last_not_of('0') + 1);
      if (text.back() == '.') text.pop_back();
    }
    return text;
  }
}

std::optional<std::string> Shown(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

std::optional<std::string> Shown(const std::vector<std::string>& list) {
  return list.empty() ? std::nullopt : std::optional<std::string>(Join(list, ", "));
}

#define SETTING(field) [](const plan::Settings& s) { return Shown(s.field); }

const std::vector<Row>& Rows() {
  static const std::vector<Row> rows = {
      {"backfill.batch_size", "--batch-size", "sized to target_chunk_time", "backfill",
       SETTING(backfill_batch_size)},
      {"backfill.concurrency", "--concurrency", "2", "backfill", SETTING(backfill_concurrency)},
      {"backfill.target_chunk_time", "--target-chunk-time", "200ms (SQLite: 10ms)", "backfill",
       SETTING(backfill_target_chunk_time)},
      {"backfill.vacuum_every", "--vacuum-every", "a tenth of a table of 1 GB or more",
       "backfill (PostgreSQL)", SETTING(backfill_vacuum_every)},
      {"backfill.reconnect_window", "--reconnect-window", "60s", "backfill",
       SETTING(backfill_reconnect_window)},
      {"backfill.max_rows_per_second", "--max-rows-per-second", "no cap",
       "backfill, verify's scans", SETTING(throttle.max_rows_per_second)},
      {"backfill.max_replica_lag", "--max-replica-lag", "5s", "backfill, verify's scans",
       SETTING(throttle.max_replica_lag)},
      {"backfill.replicas", "--replica", "none", "backfill, verify's scans",
       SETTING(throttle.replicas)},
      {"backfill.max_active_sessions", "--max-active-sessions", "no limit", "backfill",
       SETTING(throttle.max_active_sessions)},
      {"backfill.max_lock_waiters", "--max-lock-waiters", "no limit", "backfill",
       SETTING(throttle.max_lock_waiters)},
      {"backfill.throttle_query", "--throttle-query", "none", "backfill",
       SETTING(throttle.throttle_query)},
      {"backfill.throttle_above", "--throttle-above", "none", "backfill",
       SETTING(throttle.throttle_above)},
      {"backfill.window", "--window", "any time", "backfill", SETTING(throttle.window)},
      {"backfill.max_runtime", "--backfill-max-runtime", "no limit",
       "one backfill run, from its own start (stops, resumably)", SETTING(throttle.max_runtime)},
      {"verify.parity_threshold", "", "100", "verify, switch and complete gates",
       SETTING(parity_threshold)},
      {"verify.drift_threshold", "", "0", "verify", SETTING(drift_threshold)},
      {"lock.timeout", "--lock-timeout", "500ms", "every DDL step", SETTING(lock_timeout)},
      {"lock.deadline", "--lock-deadline", "10m", "every DDL step", SETTING(lock_deadline)},
      {"lock.retry_backoff", "", "100ms", "every DDL step", SETTING(lock_retry_backoff)},
      {"lock.retry_attempts", "", "0 (until the deadline)", "every DDL step",
       SETTING(lock_retry_attempts)},
      {"metrics.prefix", "--metrics-prefix", "tandem", "serve (from the config file)",
       SETTING(metrics_prefix)},
      {"alerts.error_rate", "", "none",
       "backfill, switch's window: alert events, hooks, /metrics (PostgreSQL; SQLite has no "
       "such counter)",
       SETTING(alert_error_rate)},
      {"alerts.replica_lag", "", "none",
       "backfill, switch's window: alert events, hooks, /metrics (PostgreSQL; SQLite has no "
       "replicas)",
       SETTING(alert_replica_lag)},
      {"run.dry_run", "--dry-run", "false",
       "start, backfill, switch, complete, migrate (file: start and migrate)", SETTING(dry_run)},
      {"run.require_approval", "", "false",
       "start, switch, complete: need --approval TOKEN (tandem approve)",
       SETTING(require_approval)},
      {"run.max_runtime", "--max-runtime", "no limit",
       "the whole migration, from its recorded start: backfill, verify, observation window, "
       "SQLite's online rebuild in complete stop resumably (exit 3); rollback is never stopped",
       SETTING(run_max_runtime)},
      {"hooks.command", "--hook-command", "none", "every recorded event", SETTING(hooks.command)},
      {"hooks.url", "--hook-url", "none", "every recorded event", SETTING(hooks.url)},
      {"hooks.timeout", "", "5s", "hooks", SETTING(hooks.timeout)},
      {"hooks.events", "", "every kind", "hooks", SETTING(hooks.events)},
  };
  return rows;
}

#undef SETTING

}  // namespace

Result<plan::Settings> LoadSharedConfig(const std::string& config_flag) {
  if (!config_flag.empty()) return reader::ReadConfigFile(config_flag);
  std::error_code ec;
  if (!std::filesystem::exists(reader::kDefaultConfigFile, ec)) return plan::Settings{};
  return reader::ReadConfigFile(reader::kDefaultConfigFile);
}

Status RunConfig(const GlobalOptions& global, const std::string& migration_file) {
  TANDEM_ASSIGN_OR_RETURN(plan::Settings config, LoadSharedConfig(global.config));
  plan::Settings file;
  if (!migration_file.empty()) {
    TANDEM_ASSIGN_OR_RETURN(plan::Migration migration, reader::ReadMigrationFile(migration_file));
    file = migration.settings;
  }
  std::string config_name = global.config.empty() ? reader::kDefaultConfigFile : global.config;
  for (const Row& row : Rows()) {
    std::optional<std::string> from_file = row.get(file);
    std::optional<std::string> from_config = row.get(config);
    std::string source = from_file ? migration_file : (from_config ? config_name : "default");
    std::string value = from_file ? *from_file : (from_config ? *from_config : row.default_value);
    if (global.json) {
      json line = {{"key", row.key},
                   {"value", from_file || from_config ? json(value) : json(nullptr)},
                   {"default", row.default_value},
                   {"source", from_file ? "file" : (from_config ? "config" : "default")},
                   {"flag", *row.flag ? json(row.flag) : json(nullptr)},
                   {"used_by", row.used_by}};
      std::printf("%s\n", line.dump().c_str());
    } else {
      std::printf("%-28s %-26s %-24s %s\n", row.key, value.c_str(), source.c_str(), row.used_by);
    }
  }
  if (!global.json) {
    std::printf(
        "\nA flag given to a command wins over both files (flag > migration file > %s "
        "> default).\n",
        config_name.c_str());
  }
  return Status::Ok();
}

}  // namespace tandem::cli
