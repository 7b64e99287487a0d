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
  bool json = false;
  int verbosity = 0;
};

// --url, else $TANDEM_URL, else $DATABASE_URL, else "".
inline std::string ResolveUrl(const std::string& flag) {
  if (!flag.empty()) return flag;
  for (const char* name : {"TANDEM_URL", "DATABASE_URL"}) {
    if (const char* value = std::getenv(name); value && *value) return value;
  }
  return "";
}

}  // namespace tandem::cli
