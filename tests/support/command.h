// Running the tandem binary and shell commands from tests, shared by the
// PostgreSQL and the SQLite integration tests.
#pragma once

#include <string>
#include <vector>

namespace tandem::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path);
std::string ShellQuote(const std::string& s);
// A directory of this test process, created once.
std::string TempDir();
// Captures stdout of a shell command; sets exit_code.
std::string Capture(const std::string& command, int& exit_code);

// Runs the tandem binary with `args` (each shell-quoted) and TANDEM_URL=url.
CommandResult RunTandem(const std::string& url, const std::vector<std::string>& args);

// Writes `content` to a fresh file named `name` in a temp directory; returns its path.
std::string WriteMigration(const std::string& name, const std::string& content);

}  // namespace tandem::testing
