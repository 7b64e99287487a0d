// Options every subcommand shares, and how the database URL is found.
#pragma once

#include <cstdlib>
#include <string>

namespace tandem::cli {

struct GlobalOptions {
  std::string url;
  std::string schema = "public";
  std::string state_schema = "tandem";
  std::string lock_timeout = "500ms";
  std::string lock_deadline = "10m";
  // Whether --lock-timeout / --lock-deadline were given: only then do they
  // win over a file's `lock:` section.
  bool lock_timeout_given = false;
  bool lock_deadline_given = false;
  std::string config;  // --config FILE; empty: ./tandem.yaml when it exists
  std::string hook_command;
  std::string hook_url;
  bool json = false;
  std::string log_format = "text";  // or "json"
  int verbosity = 0;
};

// libpq's environment variables that choose a server or database. With any
// of them set and no URL given, tandem connects as psql would.
inline constexpr const char* kLibpqEnvironment[] = {"PGHOST",     "PGHOSTADDR", "PGPORT",
                                                    "PGDATABASE", "PGUSER",     "PGSERVICE"};

// --url, else $TANDEM_URL, else $DATABASE_URL, else libpq's environment
// (an empty PostgreSQL URI, which libpq completes from PGHOST, PGPORT, ...),
// else "". Without any of them there is no default database: a command must
// not reach a server nobody named.
inline std::string ResolveUrl(const std::string& flag) {
  if (!flag.empty()) return flag;
  for (const char* name : {"TANDEM_URL", "DATABASE_URL"}) {
    if (const char* value = std::getenv(name); value && *value) return value;
  }
  for (const char* name : kLibpqEnvironment) {
    if (const char* value = std::getenv(name); value && *value) return "postgresql://";
  }
  return "";
}

}  // namespace tandem::cli
