#include "backends/number.h"

#include <charconv>
#include <string>
#include <system_error>

namespace tandem::backend {
namespace {

// Reads all of `text` into `out` with std::from_chars, which neither throws
// nor skips anything: trailing text is as wrong as no digits at all.
template <typename T>
Result<T> Parse(const Value& value, std::string_view what, const char* kind) {
  if (!value) {
    return Status::Error(ErrorKind::kDatabase, std::string(what) + " is NULL, not " + kind);
  }
  const std::string& text = *value;
  T out{};
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (error == std::errc::result_out_of_range) {
    return Status::Error(ErrorKind::kDatabase,
                         std::string(what) + " is \"" + text + "\", out of the range of " + kind);
  }
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Status::Error(ErrorKind::kDatabase,
                         std::string(what) + " is \"" + text + "\", not " + kind);
  }
  return out;
}

}  // namespace

Result<long long> ToInteger(const Value& value, std::string_view what) {
  return Parse<long long>(value, what, "an integer");
}

Result<long long> ToInteger(const Value& value, std::string_view what, long long if_null) {
  if (!value) return if_null;
  return ToInteger(value, what);
}

Result<double> ToDouble(const Value& value, std::string_view what) {
  return Parse<double>(value, what, "a number");
}

Result<double> ToDouble(const Value& value, std::string_view what, double if_null) {
  if (!value) return if_null;
  return ToDouble(value, what);
}

template <typename T>
T NumberReader::Keep(Result<T> result) {
  if (result.ok()) return *result;
  if (status_.ok()) status_ = result.status();
  return T{};
}

long long NumberReader::Integer(const Value& value, std::string_view what, long long if_null) {
  return Keep(ToInteger(value, what, if_null));
}

double NumberReader::Double(const Value& value, std::string_view what, double if_null) {
  return Keep(ToDouble(value, what, if_null));
}

}  // namespace tandem::backend
