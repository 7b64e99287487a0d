#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "hooks/hook_call.h"

namespace tandem::hooks {
namespace {

using Clock = std::chrono::steady_clock;

// How often a running command is looked at while tandem waits for it.
constexpr Millis kPollEvery{10};

// Writes as much of `payload` as the pipe takes before `deadline`; a
// command that does not read its stdin is not waited for beyond it.
void WritePayload(int fd, const std::string& payload, Clock::time_point deadline) {
  // A command that exits without reading its stdin makes a write fail with
  // EPIPE; SIGPIPE is held back meanwhile (and then taken off the thread),
  // so that it ends no process that does not ignore it.
  sigset_t pipe_signal;
  sigset_t previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  size_t written = 0;
  while (written < payload.size() && Clock::now() < deadline) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, static_cast<int>(kPollEvery.count())) <= 0) continue;
    ssize_t n = write(fd, payload.data() + written, payload.size() - written);
    if (n < 0 && errno != EAGAIN && errno != EINTR) break;  // it closed its stdin
    if (n > 0) written += static_cast<size_t>(n);
  }
  close(fd);
  timespec no_wait{0, 0};
  while (sigtimedwait(&pipe_signal, nullptr, &no_wait) > 0) {
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

[[noreturn]] void RunChild(const std::string& command, int stdin_fd) {
  setpgid(0, 0);  // its own process group, so a timeout ends its children too
  dup2(stdin_fd, STDIN_FILENO);
  dup2(STDERR_FILENO, STDOUT_FILENO);
  close(stdin_fd);
  signal(SIGPIPE, SIG_DFL);
  execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
  _exit(127);
}

std::string Describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was ended by signal " + std::to_string(WTERMSIG(status));
  return "ended abnormally";
}

}  // namespace

Status RunHookCommand(const std::string& command, const std::string& payload, Millis timeout) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Status::Error(ErrorKind::kInternal,
                         std::string("hook command: cannot make a pipe: ") + std::strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return Status::Error(ErrorKind::kInternal,
                         std::string("hook command: cannot fork: ") + std::strerror(errno));
  }
  if (pid == 0) RunChild(command, fds[0]);
  close(fds[0]);
  setpgid(pid, pid);  // as the child does, whichever runs first
  fcntl(fds[1], F_SETFL, O_NONBLOCK);
  auto deadline = Clock::now() + timeout;
  WritePayload(fds[1], payload, deadline);
  int status = 0;
  while (true) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      return Status::Error(ErrorKind::kInternal, "hook command: lost track of its process");
    }
    if (Clock::now() >= deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      return Status::Error(ErrorKind::kRefused, "hook command `" + command + "` took over " +
                                                    FormatDuration(timeout) +
                                                    " and was stopped (hooks.timeout)");
    }
    std::this_thread::sleep_for(kPollEvery);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  return Status::Error(ErrorKind::kRefused, "hook command `" + command + "` " + Describe(status));
}

}  // namespace tandem::hooks
