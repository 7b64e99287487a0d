// Exit codes, documented in --help and the README. One table, one place.
#pragma once

#include "common/status.h"

namespace tandem::cli {

inline constexpr int kExitSuccess = 0;
inline constexpr int kExitRefused = 1;  // a check or gate said no; nothing changed
inline constexpr int kExitInvalid = 2;  // invalid input or usage
inline constexpr int kExitFailure = 3;  // database or runtime failure (incl. another runner)

inline int ExitCodeFor(const Status& status) {
  switch (status.kind()) {
    case ErrorKind::kOk:
      return kExitSuccess;
    case ErrorKind::kRefused:
      return kExitRefused;
    case ErrorKind::kInvalidInput:
      return kExitInvalid;
    case ErrorKind::kBusy:
    case ErrorKind::kLockTimeout:
    case ErrorKind::kDatabase:
    case ErrorKind::kConnection:
    case ErrorKind::kInterrupted:
    case ErrorKind::kInternal:
      return kExitFailure;
  }
  return kExitFailure;
}

inline constexpr char kExitCodesHelp[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  refused by a check or gate (nothing was changed)\n"
    "  2  invalid input or usage (bad migration file, unknown table or column, bad flag)\n"
    "  3  database or runtime failure (lost connection, lock deadline passed, another runner\n"
    "     holds the schema); the migration is left in a recorded, resumable state\n";

}  // namespace tandem::cli
