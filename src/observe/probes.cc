#include "observe/probes.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "common/strings.h"

extern char** environ;

namespace tandem::observe {
namespace {

// A probe's command must answer within this, or it is killed and breaches.
constexpr Millis kCommandTimeout{10000};
constexpr Millis kCommandPoll{20};

std::string Number(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", value);
  return buf;
}

class SqlProbe : public UserProbe {
 public:
  SqlProbe(plan::ProbeSettings settings, Connector connect, std::string setup)
      : settings_(std::move(settings)), connect_(std::move(connect)), setup_(std::move(setup)) {}

  Result<Reading> Read() override {
    Result<std::string> text = Query();
    if (!text.ok()) {
      return Status::Error(ErrorKind::kDatabase, "probe \"" + settings_.name +
                                                     "\" (sql) failed: " + text.status().message());
    }
    TANDEM_ASSIGN_OR_RETURN(double value, ProbeNumber(settings_, *text, "its query"));
    return ProbeReading(settings_, value);
  }

 private:
  Result<std::string> Query() {
    if (!conn_ || !conn_->Healthy()) {
      conn_.reset();
      TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Connection> conn, connect_());
      if (!setup_.empty()) TANDEM_RETURN_IF_ERROR(conn->Execute(setup_));
      conn_ = std::move(conn);
    }
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, conn_->Query(settings_.sql));
    return rows.Scalar().value_or("");
  }

  plan::ProbeSettings settings_;
  Connector connect_;
  std::string setup_;
  std::unique_ptr<backend::Connection> conn_;
};

// Runs `/bin/sh -c command` with its output discarded, in a process group
// of its own so that a timeout ends everything it started.
class CommandProbe : public UserProbe {
 public:
  explicit CommandProbe(plan::ProbeSettings settings) : settings_(std::move(settings)) {}

  Result<Reading> Read() override {
    TANDEM_ASSIGN_OR_RETURN(int code, Run());
    Reading reading{.name = settings_.name, .value = code, .threshold = 0, .ok = code == 0};
    reading.note = code == 0 ? "command exits 0"
                             : "probe \"" + settings_.name + "\" (command) exited " +
                                   std::to_string(code) + ": " + settings_.command;
    return reading;
  }

 private:
  Result<int> Run() {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    std::string shell = "/bin/sh";
    std::string dash_c = "-c";
    char* argv[] = {shell.data(), dash_c.data(), settings_.command.data(), nullptr};
    pid_t pid = 0;
    int spawned = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (spawned != 0) {
      return Status::Error(ErrorKind::kInternal, "probe \"" + settings_.name +
                                                     "\" could not start /bin/sh: errno " +
                                                     std::to_string(spawned));
    }
    for (Millis waited{0}; waited < kCommandTimeout; waited += kCommandPoll) {
      int status = 0;
      pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      std::this_thread::sleep_for(kCommandPoll);
    }
    kill(-pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    return Status::Error(ErrorKind::kDatabase,
                         "probe \"" + settings_.name + "\" (command) did not finish within " +
                             FormatDuration(kCommandTimeout) + ": " + settings_.command);
  }

  plan::ProbeSettings settings_;
};

}  // namespace

Reading ProbeReading(const plan::ProbeSettings& settings, double value) {
  Reading reading{.name = settings.name, .value = value};
  if (settings.max && value > *settings.max) {
    reading.threshold = settings.max;
    reading.ok = false;
    reading.note = "probe \"" + settings.name + "\" read " + Number(value) + ", above its max " +
                   Number(*settings.max);
  } else if (settings.min && value < *settings.min) {
    reading.threshold = settings.min;
    reading.ok = false;
    reading.note = "probe \"" + settings.name + "\" read " + Number(value) + ", below its min " +
                   Number(*settings.min);
  } else {
    reading.threshold = settings.max ? settings.max : settings.min;
    reading.note =
        settings.max ? "at most " + Number(*settings.max) : "at least " + Number(*settings.min);
  }
  return reading;
}

Result<double> ProbeNumber(const plan::ProbeSettings& settings, const std::string& text,
                           const std::string& source) {
  std::string trimmed = Trim(text);
  char* end = nullptr;
  double value = std::strtod(trimmed.c_str(), &end);
  if (trimmed.empty() || *end != '\0') {
    std::string shown = trimmed.size() > 60 ? trimmed.substr(0, 60) + "..." : trimmed;
    return Status::Error(ErrorKind::kDatabase, "probe \"" + settings.name + "\": " + source +
                                                   " returned \"" + shown + "\", not one number");
  }
  return value;
}

std::unique_ptr<UserProbe> MakeProbe(const plan::ProbeSettings& settings, Connector connect,
                                     std::string session_setup) {
  if (!settings.http.empty()) return MakeHttpProbe(settings);
  if (!settings.command.empty()) return std::make_unique<CommandProbe>(settings);
  return std::make_unique<SqlProbe>(settings, std::move(connect), std::move(session_setup));
}

}  // namespace tandem::observe
