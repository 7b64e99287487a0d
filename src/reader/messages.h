// Error reporting for the reader: the first-error sink, and the wording
// shared by all messages ("expected X, got Y", "did you mean", hints for
// missing fields). Every message reads "FILE:LINE:COL: KEY_PATH: problem;
// what to do". Internal to the reader module.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "plan/migration.h"

namespace tandem::reader {

// The keys a map may have (or the values an enum may take).
using KeyList = std::span<const std::string_view>;

// PostgreSQL's NAMEDATALEN - 1: longer identifiers are silently truncated.
inline constexpr size_t kMaxIdentifierBytes = 63;

// Holds the first error found in one file. Not thread-safe.
class ErrorSink {
 public:
  explicit ErrorSink(std::string file) : file_(std::move(file)) {}

  // Records "FILE:LINE:COL: PATH: problem" unless an error is already held.
  void Report(plan::SourcePos pos, std::string_view path, std::string_view problem);
  bool failed() const { return !status_.ok(); }
  const Status& status() const { return status_; }

 private:
  std::string file_;
  Status status_;
};

// 1-based position of a node; {0, 0} for a node that is not in the file.
plan::SourcePos PosOf(const YAML::Node& node);

// True for a quoted scalar: "true" in quotes is text, not a boolean.
bool IsQuoted(const YAML::Node& node);

// "a list", "a map", "an empty value", "the text \"abc\"": for "expected X, got Y".
std::string Describe(const YAML::Node& node);

// The candidate within edit distance 2 of `word` (and closer than its length),
// or "" when none is a likely typo.
std::string ClosestMatch(std::string_view word, KeyList candidates);

// "a, b, c".
std::string JoinKeys(KeyList keys);

// Empty, or "; did you mean \"x\"?" for a likely typo of one of `candidates`.
std::string DidYouMean(std::string_view word, KeyList candidates);

// Non-empty and at most kMaxIdentifierBytes; else the problem to report.
std::optional<std::string> IdentifierProblem(std::string_view name);

// `text` in double quotes, shortened when long.
std::string Quoted(std::string_view text);

// What to add when `key` of the map at `path` is missing, e.g. "give the
// table's name, e.g. `table: users`".
std::string HintFor(std::string_view path, std::string_view key);

// Reports a problem at any node (for values of more than one shape).
void FailAt(ErrorSink* errors, const YAML::Node& node, std::string_view path,
            std::string_view problem);

}  // namespace tandem::reader
