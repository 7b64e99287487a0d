// tandem's own records, kept in the database it migrates (schema `tandem` by
// default): one row per migration with its file checksum, stored plan, phase
// and who ran it, and an append-only event log of every phase transition and
// step with its duration and outcome.
//
// Not thread-safe; uses the connection it is given.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/phase.h"
#include "core/state_sql.h"

namespace tandem::core {

struct MigrationRecord {
  long long id = 0;
  std::string schema;
  std::string name;
  std::string version_schema;
  std::string checksum;
  Phase phase = Phase::kStarting;
  std::string plan_json;
  std::string file_content;
  bool backfill_done = false;
  std::string backfill_done_at;
  int steps_done = 0;  // steps of the current phase already applied
  std::string db_user;
  std::string os_user;
  std::string started_at;
  std::string completed_at;
  std::string rolled_back_at;
};

// One stored verification pass.
struct VerifyRun {
  long long id = 0;
  std::string at;
  bool full = false;
  bool passed = false;
  bool after_backfill = false;  // started after the backfill finished
  double parity_percent = 0;
  int flags = 0;
  std::string report_json;
};

// Built with designated initializers, naming the fields it sets:
// {.phase = "verify", .kind = "repair", .description = ..., .outcome = "ok"}.
// Every field has a default initializer, so one left out is empty without
// a warning.
struct Event {
  // The part of the lifecycle: expand | backfill | verify | complete | rollback.
  std::string phase{};
  // phase | step | retry | backfill | control | throttle | verify | repair | forced
  std::string kind{};
  std::string description{};
  std::string sql{};
  double duration_ms = 0;
  int attempts = 0;
  std::string outcome{};  // ok | failed | retry | throttled
  std::string detail{};
};

// An event as read back, with when it was recorded and its place in the
// log (ids grow with every event of every migration).
struct RecordedEvent {
  Event event;
  std::string at;
  long long id = 0;
};

// An event of any migration of a schema, with the migration's name.
struct SchemaEvent {
  std::string migration;
  RecordedEvent recorded;
};

class StateStore {
 public:
  StateStore(backend::Connection& conn, std::string state_schema,
             backend::Engine engine = backend::Engine::kPostgres);

  // Creates the state schema and its tables when missing. Idempotent.
  Status Init();
  // True when the state schema has been created (by Init).
  Result<bool> Exists();
  // The migration of `schema` that is under way (not completed or rolled back).
  Result<std::optional<MigrationRecord>> Active(const std::string& schema);
  // The completed migration of `schema` named `name`, if any.
  Result<std::optional<MigrationRecord>> Completed(const std::string& schema,
                                                   const std::string& name);
  Result<std::vector<MigrationRecord>> History(const std::string& schema);
  // Version schemas of completed migrations of `schema`, newest first.
  Result<std::vector<std::string>> CompletedVersionSchemas(const std::string& schema);
  Result<long long> Insert(const MigrationRecord& record);
  // Moves migration `id` from phase `from` to `to`: kInternal, writing
  // nothing, when the lifecycle has no such move (phase.h) or the stored
  // phase is no longer `from`.
  Status SetPhase(long long id, Phase from, Phase to);
  Status SetStepsDone(long long id, int steps_done);
  Status SetBackfillDone(long long id);
  // Pause or resume the backfill of `schema`'s active migration, from any
  // process; false when no migration is active.
  Result<bool> SetPaused(const std::string& schema, bool paused);
  Result<bool> IsPaused(long long id);
  // Appends, then tells the observer (if any): the one place every event
  // of a migration is recorded, so hooks see every kind.
  Status Append(long long id, const Event& event);
  // Append's two halves, for an event written inside a step's transaction:
  // the row, then (once the transaction has committed) the observer.
  Status AppendUnannounced(long long id, const Event& event);
  void Announce(long long id, const Event& event) {
    if (observer_) observer_(id, event);
  }
  using Observer = std::function<void(long long id, const Event& event)>;
  void SetObserver(Observer observer) { observer_ = std::move(observer); }
  // Migration `id`, whatever its phase; nullopt when there is none.
  Result<std::optional<MigrationRecord>> Find(long long id);
  // Every event of migration `id`, oldest first.
  Result<std::vector<RecordedEvent>> Events(long long id);
  // The newest event of `kind` of migration `id`, if any.
  Result<std::optional<RecordedEvent>> LastEvent(long long id, const std::string& kind);
  // Descriptions of the steps of `phase` that migration `id` ran to the end.
  Result<std::set<std::string>> StepsRun(long long id, const std::string& phase,
                                         const std::string& outcome = "ok");
  // Up to `limit` events of the migrations of `schema` whose id is above
  // `after_id`, oldest first: a follower of the log reads it in pages.
  Result<std::vector<SchemaEvent>> EventsAfter(const std::string& schema, long long after_id,
                                               int limit);
  // The SHA-256 (hex) of the control API's bearer token; nullopt before
  // one was made.
  Result<std::optional<std::string>> ControlTokenHash();
  // Replaces the stored hash: the token it came from is the only one valid.
  Status SetControlTokenHash(const std::string& sha256_hex);
  Status AppendVerifyRun(long long id, const VerifyRun& run);
  // Passes of migration `id`, oldest first.
  Result<std::vector<VerifyRun>> VerifyRuns(long long id);

 private:
  // A row of the migrations table; kRefused when its phase is unknown.
  Result<MigrationRecord> FromRow(const backend::Row& row) const;
  Result<std::vector<MigrationRecord>> Select(const std::string& where,
                                              const std::vector<backend::Value>& params);
  // Runs `SET assignments` on migration `id` ($1; `more_params` are $2...);
  // kInternal when there is no such migration.
  Status UpdateMigration(long long id, const std::string& assignments,
                         const std::vector<backend::Value>& more_params);
  // Events of the migration given as $1, `rest` continuing the WHERE clause.
  Result<std::vector<RecordedEvent>> SelectEvents(const std::string& rest,
                                                  const std::vector<backend::Value>& params);
  std::string Table(const std::string& name) const;

  backend::Connection& conn_;
  std::unique_ptr<StateSql> sql_;
  Observer observer_;
};

}  // namespace tandem::core
