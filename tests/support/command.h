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

// Bounds for a run that must end on its own, whatever its input.
struct RunLimits {
  int seconds = 5;
  int memory_mb = 1024;  // address space, so well above what a run touches
};
// RunTandem, with the process killed once it has run `limits.seconds`
// (exit code 137) and its address space capped at `limits.memory_mb` (an
// allocation past it aborts, exit code 134).
CommandResult RunTandemWithin(const std::string& url, const std::vector<std::string>& args,
                              RunLimits limits);

// Starts the program argv[0] (a path) with the rest of `argv` in the
// background, its output discarded (stderr written to `err_path` if given),
// with TANDEM_URL set when `tandem_url` is given; returns its process id.
int SpawnProcess(const std::vector<std::string>& argv, const std::string& err_path = "",
                 const std::string& tandem_url = "");
// Starts the tandem binary with `args` and TANDEM_URL=url in the background,
// its output discarded (stderr written to `err_path` if given); returns its
// process id, so a test signals only its own runner.
int SpawnTandem(const std::string& url, const std::vector<std::string>& args,
                const std::string& err_path = "");
// Waits for a spawned tandem (or process) to end: its exit code, -1 when a signal ended
// it. With `block` false, -2 while it still runs.
int WaitTandem(int pid, bool block = true);

// Writes `content` to a fresh file named `name` in a temp directory; returns its path.
std::string WriteMigration(const std::string& name, const std::string& content);

}  // namespace tandem::testing
