// Status and Result<T>: expected failures as values (see ARCHITECTURE.md,
// "Errors").
//
// A Status carries an error kind, a message meant for a person (what failed,
// where, what to do next), the native code where one exists (SQLSTATE) and
// whether retrying the same action may succeed. Status is cheap to copy and
// immutable; functions return it instead of throwing.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace tandem {

enum class ErrorKind {
  kOk,
  kInvalidInput,  // the user's file, flags or names are wrong: fix and rerun
  kRefused,       // a check or gate said no: nothing was changed
  kLockTimeout,   // a lock could not be taken in time
  kBusy,          // another runner holds the migration lock
  kDatabase,      // the database reported an error
  kConnection,    // the connection was lost or could not be made
  kInterrupted,   // stopped on request (signal); the work done so far is kept
  kInternal,      // a bug in tandem
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(ErrorKind kind, std::string message, std::string native_code = "",
                      bool retryable = false) {
    Status s;
    s.kind_ = kind;
    s.message_ = std::move(message);
    s.native_code_ = std::move(native_code);
    s.retryable_ = retryable;
    return s;
  }
  static Status InvalidInput(std::string m) {
    return Error(ErrorKind::kInvalidInput, std::move(m));
  }
  static Status Refused(std::string m) { return Error(ErrorKind::kRefused, std::move(m)); }
  static Status Internal(std::string m) { return Error(ErrorKind::kInternal, std::move(m)); }

  bool ok() const { return kind_ == ErrorKind::kOk; }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  // SQLSTATE (PostgreSQL) or extended result code (SQLite), empty if none.
  const std::string& native_code() const { return native_code_; }
  bool retryable() const { return retryable_; }

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const {
    Status s = *this;
    s.message_ = context + ": " + message_;
    return s;
  }

 private:
  ErrorKind kind_ = ErrorKind::kOk;
  std::string message_;
  std::string native_code_;
  bool retryable_ = false;
};

// Either a value or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT
  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace tandem

#define TANDEM_RETURN_IF_ERROR(expr) \
  do {                               \
    ::tandem::Status _st = (expr);   \
    if (!_st.ok()) return _st;       \
  } while (0)

#define TANDEM_CONCAT_INNER(a, b) a##b
#define TANDEM_CONCAT(a, b) TANDEM_CONCAT_INNER(a, b)
#define TANDEM_ASSIGN_OR_RETURN(lhs, expr) \
  TANDEM_ASSIGN_OR_RETURN_IMPL(TANDEM_CONCAT(_res_, __LINE__), lhs, expr)
#define TANDEM_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
