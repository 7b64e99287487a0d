#include "backends/sqlite/runner_lock_file.h"

#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace tandem::backend::sqlite {
namespace {

// SQLite locks the bytes from 0x40000000 to 0x40000200 of a database file
// (its "lock page", never written); these lie past them, where nothing
// else locks, and cost nothing: a lock may lie past the end of the file.
constexpr off_t kRunnerByte = 0x50000000;
// Holder's pid p: a read lock on kPidBytes + p. 2^22 is Linux's highest
// pid_max.
constexpr off_t kPidBytes = kRunnerByte + 1;
constexpr off_t kPidRange = off_t{1} << 22;

std::string UserName(uid_t uid) {
  const passwd* pw = getpwuid(uid);
  return pw ? pw->pw_name : std::to_string(uid);
}

std::string HolderText() {
  char host[256] = "";
  gethostname(host, sizeof(host) - 1);
  std::time_t now = std::time(nullptr);
  char since[32] = "";
  std::strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&now));
  return "pid " + std::to_string(getpid()) + " (user " + UserName(geteuid()) + " on host " + host +
         ", since " + since + ")";
}

// The file behind every symlink of `file`'s path, so each name of it
// finds the same lock file; `file` itself when it cannot be resolved.
std::string CanonicalPath(const std::string& file) {
  std::error_code error;
  std::filesystem::path canonical = std::filesystem::canonical(file, error);
  return error ? file : canonical.string();
}

// An open file description lock (not the process's, so neither SQLite's
// closing of its descriptors nor its own POSIX locks touch it).
bool OfdLock(int fd, short type, off_t start, off_t length) {
  struct flock lock = {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = start;
  lock.l_len = length;
  return fcntl(fd, F_OFD_SETLK, &lock) == 0;
}

Status CannotLock(const std::string& what, const std::string& path) {
  return Status::Error(ErrorKind::kRefused,
                       "cannot open " + what + " \"" + path +
                           "\" to take tandem's runner lock: " + std::strerror(errno) +
                           "; tandem needs write access to the database "
                           "and its directory");
}

}  // namespace

RunnerLockFile::RunnerLockFile(const std::string& database)
    : database_(database), path_(CanonicalPath(database) + "-tandem.lock") {}

RunnerLockFile::~RunnerLockFile() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
  // The database file's descriptor stays open until the process ends:
  // closing any descriptor of a file drops every POSIX lock the process
  // holds on it, SQLite's included. Unlocking lets the OFD locks go now.
  if (db_fd_ >= 0) OfdLock(db_fd_, F_UNLCK, kRunnerByte, 1 + kPidRange);
}

Result<bool> RunnerLockFile::TryLock() {
  if (fd_ >= 0) return true;
  int fd = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return CannotLock("the lock file", path_);
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    return false;
  }
  auto database = LockDatabaseFile();
  if (!database.ok() || !*database) {
    close(fd);
    return database;
  }
  std::string text = HolderText() + "\n";
  if (ftruncate(fd, 0) != 0 || write(fd, text.data(), text.size()) < 0) {
    // The lock holds regardless; only the holder's description is missing.
  }
  fd_ = fd;
  return true;
}

Result<bool> RunnerLockFile::LockDatabaseFile() {
  // A write lock needs a descriptor open for writing; nothing is written.
  if (db_fd_ < 0) db_fd_ = open(database_.c_str(), O_RDWR | O_CLOEXEC);
  if (db_fd_ < 0) return CannotLock("the database file", database_);
  if (!OfdLock(db_fd_, F_WRLCK, kRunnerByte, 1)) {
    if (errno != EAGAIN && errno != EACCES) return CannotLock("the database file", database_);
    held_elsewhere_ = true;
    return false;
  }
  held_elsewhere_ = false;
  // Only says who holds the lock; the lock above is taken regardless.
  (void)OfdLock(db_fd_, F_RDLCK, kPidBytes + getpid(), 1);
  return true;
}

std::string RunnerLockFile::Holder() const {
  if (held_elsewhere_) {
    struct flock probe = {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    probe.l_start = kPidBytes;
    probe.l_len = kPidRange;
    std::string who = "a process";
    if (fcntl(db_fd_, F_OFD_GETLK, &probe) == 0 && probe.l_type != F_UNLCK) {
      std::string pid = std::to_string(probe.l_start - kPidBytes);
      struct stat process = {};
      who = "pid " + pid;
      if (stat(("/proc/" + pid).c_str(), &process) == 0) {
        who += " (user " + UserName(process.st_uid) + ")";
      }
    }
    return who + ", which opened this database file under another name (a hard link to it)";
  }
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  std::string holder = Trim(text.str());
  if (holder.empty()) holder = "another process (it may just have finished)";
  return holder + " (lock file " + path_ + ")";
}

}  // namespace tandem::backend::sqlite
