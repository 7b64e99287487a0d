// The runner lock on SQLite: an exclusive flock() on a file beside the
// database ("<db>-tandem.lock"). The kernel releases it when the process
// dies, so a crashed runner never leaves a stale lock; the file's content
// names the holder for the next runner's message.
#pragma once

#include <string>

#include "common/status.h"

namespace tandem::backend::sqlite {

class RunnerLockFile {
 public:
  explicit RunnerLockFile(std::string path) : path_(std::move(path)) {}
  ~RunnerLockFile();
  RunnerLockFile(const RunnerLockFile&) = delete;
  RunnerLockFile& operator=(const RunnerLockFile&) = delete;

  // Takes the lock without waiting; false when another process holds it.
  Result<bool> TryLock();
  // "pid N (user U on host H, since T)" of the holder, as it wrote it.
  std::string Holder() const;

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace tandem::backend::sqlite
