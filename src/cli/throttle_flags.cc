#include "cli/throttle_flags.h"

#include <charconv>
#include <cstdlib>

#include "backends/backend.h"
#include "common/duration.h"
#include "common/strings.h"

namespace tandem::cli {
namespace {

// Seconds libpq waits for a replica to answer a connection attempt.
constexpr char kReplicaConnectTimeout[] = "3";

Result<std::optional<int>> Count(const std::string& text, const char* flag) {
  if (text.empty()) return std::optional<int>();
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    return Status::InvalidInput(std::string(flag) + " expects a count of 0 or more, got \"" + text +
                                "\"");
  }
  return std::optional<int>(value);
}

Result<std::optional<double>> Number(const std::string& text, const char* flag) {
  if (text.empty()) return std::optional<double>();
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (*end != '\0') {
    return Status::InvalidInput(std::string(flag) + " expects a number, got \"" + text + "\"");
  }
  return std::optional<double>(value);
}

Result<std::optional<Millis>> Duration(const std::string& text, const char* flag) {
  if (text.empty()) return std::optional<Millis>();
  auto duration = ParseDuration(text);
  if (!duration.ok()) return duration.status().WithContext(flag);
  return std::optional<Millis>(*duration);
}

// Adds connect_timeout unless the connection string sets one.
std::string WithConnectTimeout(const std::string& url) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  if (url.find("://") == std::string::npos) {
    return url + " connect_timeout=" + kReplicaConnectTimeout;
  }
  return url + (url.find('?') == std::string::npos ? "?" : "&") +
         "connect_timeout=" + kReplicaConnectTimeout;
}

}  // namespace

void AddThrottleFlags(CLI::App* command, ThrottleFlags* flags) {
  command
      ->add_option("--max-replica-lag", flags->max_replica_lag,
                   "wait while a replica lags more than this (default 5s; 0 turns it off); "
                   "read from pg_stat_replication and from each --replica")
      ->type_name("D");
  command
      ->add_option("--replica", flags->replicas,
                   "a replica's connection string to ask for its lag directly (repeatable); "
                   "an unreachable replica holds the backfill")
      ->type_name("URL");
  command
      ->add_option("--max-active-sessions", flags->max_active_sessions,
                   "wait while more than N other sessions are active on the database")
      ->type_name("N");
  command
      ->add_option("--max-lock-waiters", flags->max_lock_waiters,
                   "wait while more than N sessions wait on a lock")
      ->type_name("N");
  command
      ->add_option("--throttle-query", flags->throttle_query,
                   "SQL returning one number; wait while it is above --throttle-above "
                   "(a failing query holds the backfill)")
      ->type_name("SQL");
  command->add_option("--throttle-above", flags->throttle_above, "the bound for --throttle-query")
      ->type_name("N");
  command
      ->add_option("--max-rows-per-second", flags->max_rows_per_second,
                   "cap the backfill's average rate")
      ->type_name("N");
  command
      ->add_option("--window", flags->window,
                   "run only between these local times, e.g. 22:00-06:00; outside it the "
                   "backfill waits")
      ->type_name("HH:MM-HH:MM");
  command
      ->add_option("--backfill-max-runtime", flags->max_runtime,
                   "stop this backfill run after this long from its own start (e.g. 2h), "
                   "resumably: `tandem backfill` continues (the file's backfill.max_runtime; "
                   "until this release spelled --max-runtime, which now limits the whole "
                   "migration)")
      ->type_name("D");
}

Result<plan::ThrottleSettings> ParseThrottleFlags(const ThrottleFlags& flags) {
  plan::ThrottleSettings settings;
  TANDEM_ASSIGN_OR_RETURN(settings.max_replica_lag,
                          Duration(flags.max_replica_lag, "--max-replica-lag"));
  TANDEM_ASSIGN_OR_RETURN(settings.max_runtime,
                          Duration(flags.max_runtime, "--backfill-max-runtime"));
  settings.replicas = flags.replicas;
  TANDEM_ASSIGN_OR_RETURN(settings.max_active_sessions,
                          Count(flags.max_active_sessions, "--max-active-sessions"));
  TANDEM_ASSIGN_OR_RETURN(settings.max_lock_waiters,
                          Count(flags.max_lock_waiters, "--max-lock-waiters"));
  settings.throttle_query = flags.throttle_query;
  TANDEM_ASSIGN_OR_RETURN(settings.throttle_above,
                          Number(flags.throttle_above, "--throttle-above"));
  TANDEM_ASSIGN_OR_RETURN(settings.max_rows_per_second,
                          Number(flags.max_rows_per_second, "--max-rows-per-second"));
  settings.window = flags.window;
  TANDEM_RETURN_IF_ERROR(backfill::ValidateThrottleFlags(settings));
  return settings;
}

backfill::ReplicaConnector ReplicaSessions() {
  return [](const std::string& url) -> Result<std::unique_ptr<backend::Connection>> {
    TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Database> database,
                            backend::OpenDatabase(WithConnectTimeout(url)));
    return database->Connect();
  };
}

}  // namespace tandem::cli
