#include "backends/sqlite/runner_lock_file.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace tandem::backend::sqlite {
namespace {

std::string HolderText() {
  char host[256] = "";
  gethostname(host, sizeof(host) - 1);
  const passwd* pw = getpwuid(geteuid());
  std::time_t now = std::time(nullptr);
  char since[32] = "";
  std::strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  return "pid " + std::to_string(getpid()) + " (user " + (pw ? pw->pw_name : "?") + " on host " +
         host + ", since " + since + ")";
}

}  // namespace

RunnerLockFile::~RunnerLockFile() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

Result<bool> RunnerLockFile::TryLock() {
  if (fd_ >= 0) return true;
  int fd = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::Error(ErrorKind::kRefused, "cannot create tandem's lock file \"" + path_ +
                                                  "\": " + std::strerror(errno) +
                                                  "; tandem needs write access to the "
                                                  "database's directory");
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return false;
  }
  std::string text = HolderText() + "\n";
  if (ftruncate(fd, 0) != 0 || write(fd, text.data(), text.size()) < 0) {
    // The lock holds regardless; only the holder's description is missing.
  }
  fd_ = fd;
  return true;
}

std::string RunnerLockFile::Holder() const {
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  std::string holder = Trim(text.str());
  return holder.empty() ? "another process (it may just have finished)" : holder;
}

}  // namespace tandem::backend::sqlite
