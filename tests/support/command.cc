#include "support/command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace tandem::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string ShellQuote(const std::string& s) { return "'" + ReplaceAll(s, "'", "'\\''") + "'"; }

std::string TempDir() {
  static std::string dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "tandem-test-XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    return std::string(mkdtemp(buffer.data()));
  }();
  return dir;
}

// Captures stdout of a shell command; sets exit_code.
std::string Capture(const std::string& command, int& exit_code) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    exit_code = -1;
    return out;
  }
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  int status = pclose(pipe);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

namespace {

// Runs tandem through the shell, after `prefix` (which may set limits and
// wrap the binary, e.g. "timeout 5 ").
CommandResult RunTandemAfter(const std::string& prefix, const std::string& url,
                             const std::vector<std::string>& args) {
  static int counter = 0;
  std::string err_file =
      TempDir() + "/stderr-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  std::string command = prefix + "env TANDEM_URL=" + ShellQuote(url) + " " + TANDEM_BINARY;
  for (const auto& a : args) command += " " + ShellQuote(a);
  command += " 2>" + ShellQuote(err_file);
  CommandResult result;
  result.out = Capture(command, result.exit_code);
  result.err = ReadFile(err_file);
  std::filesystem::remove(err_file);
  return result;
}

}  // namespace

CommandResult RunTandem(const std::string& url, const std::vector<std::string>& args) {
  return RunTandemAfter("", url, args);
}

CommandResult RunTandemWithin(const std::string& url, const std::vector<std::string>& args,
                              RunLimits limits) {
  std::string prefix = "ulimit -v " + std::to_string(limits.memory_mb * 1024) +
                       " && timeout --signal=KILL " + std::to_string(limits.seconds) + " ";
  return RunTandemAfter(prefix, url, args);
}

int SpawnProcess(const std::vector<std::string>& argv, const std::string& err_path,
                 const std::string& tandem_url) {
  pid_t pid = fork();
  if (pid == 0) {
    if (!tandem_url.empty()) setenv("TANDEM_URL", tandem_url.c_str(), 1);
    std::freopen("/dev/null", "w", stdout);
    std::freopen(err_path.empty() ? "/dev/null" : err_path.c_str(), "w", stderr);
    std::vector<std::string> args = argv;
    std::vector<char*> raw;
    for (auto& a : args) raw.push_back(a.data());
    raw.push_back(nullptr);
    execv(raw[0], raw.data());
    _exit(127);
  }
  return pid;
}

int SpawnTandem(const std::string& url, const std::vector<std::string>& args,
                const std::string& err_path) {
  std::vector<std::string> argv = {TANDEM_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return SpawnProcess(argv, err_path, url);
}

int WaitTandem(int pid, bool block) {
  int status = 0;
  pid_t done = waitpid(pid, &status, block ? 0 : WNOHANG);
  if (done == 0) return -2;
  if (done < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string WriteMigration(const std::string& name, const std::string& content) {
  static int counter = 0;
  std::string dir = TempDir() + "/m" + std::to_string(getpid()) + "_" + std::to_string(counter++);
  std::filesystem::create_directories(dir);
  std::string path = dir + "/" + name;
  std::ofstream(path) << content;
  return path;
}

}  // namespace tandem::testing
