// What `tandem serve`'s control API asks of the runner besides the
// lifecycle: its bearer token and the event log read as a stream.
#include <cstdio>
#include <random>

#include "common/sha256.h"
#include "core/runner.h"
#include "core/throttle_change.h"

namespace tandem::core {
namespace {

constexpr int kTokenBytes = 32;  // 256 bits: guessing is hopeless

// std::random_device reads the kernel's random source on Linux (getrandom).
std::string RandomHex(int bytes) {
  std::random_device source;
  std::string hex;
  for (int i = 0; i < bytes; ++i) {
    char pair[3];
    std::snprintf(pair, sizeof pair, "%02x", static_cast<unsigned>(source() & 0xff));
    hex += pair;
  }
  return hex;
}

// Equal strings of equal length, in a time that does not depend on where
// they first differ.
bool SameInConstantTime(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char differ = 0;
  for (size_t i = 0; i < a.size(); ++i) differ |= static_cast<unsigned char>(a[i] ^ b[i]);
  return differ == 0;
}

}  // namespace

Result<std::string> Runner::NewControlToken() {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  std::string token = "tdm_" + RandomHex(kTokenBytes);
  TANDEM_RETURN_IF_ERROR(state_->SetControlTokenHash(Sha256Hex(token)));
  return token;
}

Result<std::string> Runner::EnsureControlToken() {
  TANDEM_ASSIGN_OR_RETURN(bool recorded, OpenRecords());
  if (!recorded) return std::string();
  TANDEM_ASSIGN_OR_RETURN(std::optional<std::string> hash, state_->ControlTokenHash());
  if (hash) return std::string();
  return NewControlToken();
}

Result<bool> Runner::ControlTokenMatches(const std::string& token) {
  TANDEM_ASSIGN_OR_RETURN(bool recorded, OpenRecords());
  if (!recorded) return false;
  TANDEM_ASSIGN_OR_RETURN(std::optional<std::string> hash, state_->ControlTokenHash());
  return hash && SameInConstantTime(*hash, Sha256Hex(token));
}

Status Runner::ChangeThrottle(const backfill::ThrottleChange& change) {
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("throttle"));
  if (record.backfill_done) {
    return Status::Refused("the backfill of migration \"" + record.name +
                           "\" has finished; there is no backfill to throttle");
  }
  TANDEM_ASSIGN_OR_RETURN(std::optional<RecordedEvent> previous,
                          state_->LastEvent(record.id, kThrottleChangeKind));
  backfill::ThrottleChange merged = change;
  if (previous) {
    Result<backfill::ThrottleChange> earlier = ParseThrottleChange(previous->event.detail);
    if (earlier.ok()) merged = MergeThrottleChanges(*earlier, change);
  }
  reporter_.Note("throttle changed: " + ThrottleChangeJson(change) +
                 "; the running backfill applies it within a second");
  return Record(record.id, {.phase = "backfill",
                            .kind = kThrottleChangeKind,
                            .description = "throttle changed",
                            .outcome = "ok",
                            .detail = ThrottleChangeJson(merged)});
}

Result<std::vector<SchemaEvent>> Runner::EventsAfter(long long after_id, int limit) {
  TANDEM_ASSIGN_OR_RETURN(bool recorded, OpenRecords());
  if (!recorded) return std::vector<SchemaEvent>{};
  return state_->EventsAfter(options_.schema, after_id, limit);
}

}  // namespace tandem::core
