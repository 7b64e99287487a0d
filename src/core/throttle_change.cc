#include "core/throttle_change.h"

#include <nlohmann/json.hpp>

#include "common/duration.h"

namespace tandem::core {
namespace {

constexpr char kRate[] = "max_rows_per_second";
constexpr char kLag[] = "max_replica_lag";
constexpr char kShape[] =
    "; send a JSON object such as {\"max_rows_per_second\": 500, \"max_replica_lag\": \"10s\"}";

}  // namespace

Result<backfill::ThrottleChange> ParseThrottleChange(const std::string& text) {
  nlohmann::json body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object())
    return Status::InvalidInput(std::string("the body is not a JSON object") + kShape);
  backfill::ThrottleChange change;
  for (const auto& [key, value] : body.items()) {
    if (key == kRate) {
      if (!value.is_number() || value.get<double>() < 0) {
        return Status::InvalidInput(std::string(kRate) +
                                    " must be a number of rows per second, 0 or above (0 lifts "
                                    "the cap)" +
                                    kShape);
      }
      change.max_rows_per_second = value.get<double>();
    } else if (key == kLag) {
      Result<Millis> lag = value.is_string() ? ParseDuration(value.get<std::string>())
                                             : Result<Millis>(Status::InvalidInput("not a string"));
      if (!lag.ok()) {
        return Status::InvalidInput(std::string(kLag) +
                                    " must be a duration such as \"10s\" or \"500ms\" (\"0\" "
                                    "stops waiting for replicas)" +
                                    kShape);
      }
      change.max_replica_lag = *lag;
    } else {
      return Status::InvalidInput("unknown key \"" + key + "\": the throttle takes " + kRate +
                                  " and " + kLag + kShape);
    }
  }
  if (change.empty()) return Status::InvalidInput(std::string("nothing to change") + kShape);
  return change;
}

std::string ThrottleChangeJson(const backfill::ThrottleChange& change) {
  nlohmann::json out = nlohmann::json::object();
  if (change.max_rows_per_second) out[kRate] = *change.max_rows_per_second;
  if (change.max_replica_lag) out[kLag] = FormatDuration(*change.max_replica_lag);
  return out.dump();
}

backfill::ThrottleChange MergeThrottleChanges(const backfill::ThrottleChange& earlier,
                                              const backfill::ThrottleChange& later) {
  backfill::ThrottleChange merged = earlier;
  if (later.max_rows_per_second) merged.max_rows_per_second = later.max_rows_per_second;
  if (later.max_replica_lag) merged.max_replica_lag = later.max_replica_lag;
  return merged;
}

}  // namespace tandem::core
