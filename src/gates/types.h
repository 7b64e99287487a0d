// The evidence the gates of a migration are decided on, and their
// decisions. Gathered from the state store and the database by the core
// (core/runner_gates.cc); evaluated here without a database, so that the
// rules are tested on plain values.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tandem::gates {

// The transitions that have a gate, by the command that makes them.
enum class Transition {
  kStart,     // plan -> expand, before `start` changes anything: only the
              // sign-offs the file's policy names for start
  kBackfill,  // expand -> backfill, inside `start`
  kSwitch,    // backfill -> switch, `switch`
  kContract,  // switch -> contract, `complete`
};

// The five categories of the readiness scorecard, as the file and
// `tandem signoff` spell them.
inline constexpr const char* kCategories[] = {"compatibility", "data_quality", "observability",
                                              "reversibility", "stakeholder_alignment"};

struct VerificationEvidence {
  bool full = false;
  bool passed = false;
  bool after_backfill = false;
  double parity_percent = 0;
  std::string at;
};

// The observation window after the newest switch (events of kind
// "observe"): clean when its outcome was "ok".
struct ObservationEvidence {
  bool clean = false;
  double window_s = 0;
  std::string reason;
  std::string at;
};

// The newest rollback rehearsal of the migration's file.
struct RehearsalEvidence {
  bool passed = false;
  double rollback_s = 0;  // switch back + rollback, extrapolated to the real tables
  double total_s = 0;
  std::string failure;
  std::string at;
  bool stale = false;  // rehearsed another plan
};

// The old application still works after expand: each probe that failed.
struct CompatibilityEvidence {
  std::vector<std::string> passed;
  std::vector<std::string> failures;
};

struct SignoffRecord {
  std::string category;
  std::string by;
  std::string at;
  std::string note;
  std::string evidence;  // what the scorecard showed when it was signed
  bool stale = false;    // signed for another plan
};

struct Evidence {
  std::string migration;
  bool backfill_needed = false;
  bool backfill_done = false;
  std::optional<CompatibilityEvidence> compatibility;  // nullopt: not probed yet
  std::optional<VerificationEvidence> verification;    // the newest pass
  std::optional<ObservationEvidence> observation;      // nullopt: none since the switch
  std::optional<std::vector<std::string>> readers;     // nullopt: not checked
  std::optional<RehearsalEvidence> rehearsal;
  std::vector<SignoffRecord> signoffs;  // every sign-off, oldest first
  // For the scorecard: what the file configures to watch the migration
  // (throttle signals, invariants), and its roster and channel.
  std::vector<std::string> observability;
  std::vector<std::string> stakeholders;
};

// One condition of a gate. `key` names it for code: "backfill",
// "verification", "readers", "observation", "rehearsal", "compatibility",
// "signoff:<category>".
struct Condition {
  std::string key;
  std::string name;  // for people
  bool met = false;
  std::string evidence;  // what was seen, or "not recorded"
  std::string next;      // when unmet: what to do
};

struct Gate {
  Transition transition = Transition::kSwitch;
  std::string name;     // "backfill -> switch"
  std::string command;  // the command it guards
  std::vector<Condition> conditions;

  bool passed() const {
    for (const auto& c : conditions) {
      if (!c.met) return false;
    }
    return true;
  }
};

// One row of the scorecard.
struct ScorecardRow {
  std::string category;
  std::string evidence;                  // automated evidence, one line
  std::optional<SignoffRecord> signoff;  // the newest, stale or not
};

}  // namespace tandem::gates
