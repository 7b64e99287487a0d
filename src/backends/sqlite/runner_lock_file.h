// The runner lock on SQLite, held by the database file whatever name a
// runner uses for it (a symlink or a hard link included):
//
//  * an exclusive flock() on "<db>-tandem.lock" beside the file's canonical
//    path (symlinks resolved), whose content names the holder for the next
//    runner's message;
//  * an OFD lock (F_OFD_SETLK) on one byte of the database file itself, far
//    past the bytes SQLite locks, which every name of the file shares, and
//    a second one on the byte that encodes the holder's pid, so a runner
//    under another name can still say who holds it.
//
// The kernel releases both when the process dies, so a crashed runner never
// leaves a stale lock. Not thread-safe; one per runner.
#pragma once

#include <string>

#include "common/status.h"

namespace tandem::backend::sqlite {

class RunnerLockFile {
 public:
  // `database` is the database file, by any of its names.
  explicit RunnerLockFile(const std::string& database);
  ~RunnerLockFile();
  RunnerLockFile(const RunnerLockFile&) = delete;
  RunnerLockFile& operator=(const RunnerLockFile&) = delete;

  // Takes the lock without waiting; false when another process holds it.
  Result<bool> TryLock();
  // "pid N (user U on host H, since T)" of the holder, as it wrote it, or
  // what is known of a holder under another name of the file.
  std::string Holder() const;
  // The lock file beside the database's canonical path.
  const std::string& path() const { return path_; }

 private:
  Result<bool> LockDatabaseFile();
  std::string database_;
  std::string path_;
  int fd_ = -1;                  // the lock file's, holding the flock
  int db_fd_ = -1;               // the database file's, holding the OFD locks
  bool held_elsewhere_ = false;  // the database file's lock is another name's
};

}  // namespace tandem::backend::sqlite
