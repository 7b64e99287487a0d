// Numbers a database returns as text: counts, sums, ids, sizes, settings.
//
// A value that is not the number it should be is an error that names the
// value and what it was meant to be, never an exception: much of this text is
// read on worker threads, where an exception would end the process.
#pragma once

#include <string_view>

#include "backends/backend.h"
#include "common/status.h"

namespace tandem::backend {

// The whole of `value` as a base-10 integer. NULL, any other text and a
// number out of range are kDatabase errors naming `what`, e.g.
// `rows done of range 3 is "12a", not an integer`.
Result<long long> ToInteger(const Value& value, std::string_view what);
// The same, with NULL read as `if_null` (a SUM over no rows, a column not
// filled yet).
Result<long long> ToInteger(const Value& value, std::string_view what, long long if_null);

// The whole of `value` as a floating-point number (PostgreSQL's float8 and
// numeric text, SQLite's REAL); the same errors.
Result<double> ToDouble(const Value& value, std::string_view what);
Result<double> ToDouble(const Value& value, std::string_view what, double if_null);

// Reads the many numbers of one row (progress, counts) and keeps the first
// error, so that a row reads field by field; check status() once at the end.
// A value that fails reads as 0. NULL reads as 0 unless said otherwise.
class NumberReader {
 public:
  long long Integer(const Value& value, std::string_view what, long long if_null = 0);
  double Double(const Value& value, std::string_view what, double if_null = 0);
  const Status& status() const { return status_; }

 private:
  template <typename T>
  T Keep(Result<T> result);

  Status status_;
};

}  // namespace tandem::backend
