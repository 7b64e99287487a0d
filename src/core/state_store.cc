#include "core/state_store.h"

#include "backends/number.h"
#include "common/strings.h"
#include "core/engine.h"

namespace tandem::core {
namespace {

// Plain columns: both engines return the text form of each.
constexpr char kColumns[] =
    "id, schema_name, name, version_schema, checksum, phase, plan, file_content, "
    "backfill_done, steps_done, db_user, os_user, started_at, completed_at, rolled_back_at, "
    "backfill_done_at";

// The condition on a migration that is under way.
std::string Unfinished() { return UnfinishedCondition("phase"); }

// Each row of `rows` read by `read`; a row it refuses fails them all.
template <typename T, typename Read>
Result<std::vector<T>> ReadRows(const backend::QueryResult& rows, Read read) {
  std::vector<T> out;
  for (const auto& r : rows.rows) {
    TANDEM_ASSIGN_OR_RETURN(T item, read(r));
    out.push_back(std::move(item));
  }
  return out;
}

// An event's columns, NULLs as empty text, in the order EventFromRow reads.
constexpr char kEventColumns[] =
    "phase, kind, description, coalesce(sql, ''), coalesce(duration_ms, 0), "
    "coalesce(attempts, 0), outcome, coalesce(detail, ''), at, id";

Result<RecordedEvent> EventFromRow(const backend::Row& r) {
  backend::NumberReader read;
  RecordedEvent recorded;
  Event& event = recorded.event;
  event.phase = r[0].value_or("");
  event.kind = r[1].value_or("");
  event.description = r[2].value_or("");
  event.sql = r[3].value_or("");
  event.duration_ms = read.Double(r[4], "the duration of an event");
  event.attempts = static_cast<int>(read.Integer(r[5], "the attempts of an event"));
  event.outcome = r[6].value_or("");
  event.detail = r[7].value_or("");
  recorded.at = r[8].value_or("");
  recorded.id = read.Integer(r[9], "the id of an event");
  TANDEM_RETURN_IF_ERROR(read.status());
  return recorded;
}

}  // namespace

Result<MigrationRecord> StateStore::FromRow(const backend::Row& r) const {
  backend::NumberReader read;
  MigrationRecord m;
  m.id = read.Integer(r[0], "the id");
  m.schema = *r[1];
  m.name = *r[2];
  m.version_schema = *r[3];
  m.checksum = *r[4];
  Result<Phase> phase = ParsePhase(*r[5]);
  if (!phase.ok()) {
    return Status::Refused("migration \"" + m.name + "\" (id " + std::to_string(m.id) +
                           ") is recorded in " + phase.status().message() + " in " +
                           Table("migrations") +
                           ": the records were edited by hand or written by a newer tandem, so "
                           "nothing was run. Put back the phase it had, or use the tandem "
                           "version that wrote it");
  }
  m.phase = *phase;
  m.plan_json = r[6].value_or("");
  m.file_content = *r[7];
  m.backfill_done = r[8] == backend::Value("t");
  m.steps_done = static_cast<int>(read.Integer(r[9], "steps_done"));
  m.db_user = *r[10];
  m.os_user = r[11].value_or("");
  m.started_at = *r[12];
  m.completed_at = r[13].value_or("");
  m.rolled_back_at = r[14].value_or("");
  m.backfill_done_at = r[15].value_or("");
  if (!read.status().ok()) {
    return Status::Refused("migration \"" + m.name + "\" (id " + r[0].value_or("NULL") + ") in " +
                           Table("migrations") + ": " + read.status().message() +
                           "; the record was edited by hand, so nothing was run. Put the value "
                           "back (or restore tandem's state from a backup) and rerun");
  }
  return m;
}

StateStore::StateStore(backend::Connection& conn, std::string state_schema, backend::Engine engine)
    : conn_(conn), sql_(MakeEngine(engine)->MakeStateSql(std::move(state_schema))) {}

std::string StateStore::Table(const std::string& name) const { return sql_->Table(name); }

Status StateStore::Init() {
  // Creating is DDL (locks on tandem's own tables): skip it when everything
  // is already there, which is every call but the first.
  auto present = conn_.Query(sql_->Exist(sql_->AllTables()));
  if (present.ok() && present->Scalar() == backend::Value("t")) return Status::Ok();
  Status status = conn_.Execute(sql_->Create());
  if (!status.ok()) {
    if (conn_.Healthy()) (void)conn_.Execute("ROLLBACK");
    return status.WithContext("cannot create tandem's state tables (" + Table("migrations") +
                              "; the user needs the right to create tables)");
  }
  return Status::Ok();
}

Result<bool> StateStore::Exists() {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows,
                          conn_.Query(sql_->Exist({"migrations", "events"})));
  return rows.Scalar() == backend::Value("t");
}

Result<std::vector<MigrationRecord>> StateStore::Select(const std::string& where,
                                                        const std::vector<backend::Value>& params) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows,
                          conn_.Query(std::string("SELECT ") + kColumns + " FROM " +
                                          Table("migrations") + " WHERE " + where + " ORDER BY id",
                                      params));
  return ReadRows<MigrationRecord>(rows, [this](const backend::Row& r) { return FromRow(r); });
}

Result<std::optional<MigrationRecord>> StateStore::Active(const std::string& schema) {
  TANDEM_ASSIGN_OR_RETURN(auto rows, Select("schema_name = $1 AND " + Unfinished(), {schema}));
  if (rows.empty()) return std::optional<MigrationRecord>();
  return std::optional<MigrationRecord>(rows.back());
}

Result<std::optional<MigrationRecord>> StateStore::Find(long long id) {
  TANDEM_ASSIGN_OR_RETURN(auto rows, Select("id = $1", {std::to_string(id)}));
  if (rows.empty()) return std::optional<MigrationRecord>();
  return std::optional<MigrationRecord>(rows.back());
}

Result<std::optional<MigrationRecord>> StateStore::Completed(const std::string& schema,
                                                             const std::string& name) {
  TANDEM_ASSIGN_OR_RETURN(auto rows, Select("schema_name = $1 AND name = $2 AND phase = $3",
                                            {schema, name, PhaseName(Phase::kCompleted)}));
  if (rows.empty()) return std::optional<MigrationRecord>();
  return std::optional<MigrationRecord>(rows.back());
}

Result<std::vector<MigrationRecord>> StateStore::History(const std::string& schema) {
  return Select("schema_name = $1", {schema});
}

Result<std::vector<std::string>> StateStore::CompletedVersionSchemas(const std::string& schema) {
  TANDEM_ASSIGN_OR_RETURN(
      auto rows, Select("schema_name = $1 AND phase = $2", {schema, PhaseName(Phase::kCompleted)}));
  std::vector<std::string> out;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) out.push_back(it->version_schema);
  return out;
}

Result<long long> StateStore::Insert(const MigrationRecord& r) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("INSERT INTO " + Table("migrations") +
                      " (schema_name, name, version_schema, checksum, phase, plan, file_content, "
                      "os_user) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                  {r.schema, r.name, r.version_schema, r.checksum, PhaseName(r.phase), r.plan_json,
                   r.file_content, r.os_user}));
  return backend::ToInteger(rows.Scalar(), "the id of the new migration");
}

Status StateStore::UpdateMigration(long long id, const std::string& assignments,
                                   const std::vector<backend::Value>& more_params) {
  std::vector<backend::Value> params = {std::to_string(id)};
  params.insert(params.end(), more_params.begin(), more_params.end());
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("UPDATE " + Table("migrations") + " SET " + assignments +
                      ", updated_at = " + sql_->Now() + " WHERE id = $1 RETURNING id",
                  params));
  if (!rows.rows.empty()) return Status::Ok();
  // The runner read this id moments ago: the record was deleted (or the
  // state tables replaced) meanwhile, and the change would be lost.
  return Status::Internal("no migration with id " + std::to_string(id) + " in " +
                          Table("migrations") +
                          " to record this in: its record was deleted while tandem ran. Restore "
                          "tandem's records from a backup, then run the command again");
}

Status StateStore::SetPhase(long long id, Phase from, Phase to) {
  TANDEM_RETURN_IF_ERROR(CheckMove(from, to));
  std::string now = sql_->Now();
  std::string stamp = to == Phase::kCompleted    ? ", completed_at = " + now
                      : to == Phase::kRolledBack ? ", rolled_back_at = " + now
                                                 : "";
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows,
                          conn_.Query("UPDATE " + Table("migrations") +
                                          " SET phase = $2, steps_done = 0, updated_at = " + now +
                                          stamp + " WHERE id = $1 AND phase = $3 RETURNING id",
                                      {std::to_string(id), PhaseName(to), PhaseName(from)}));
  if (rows.rows.empty()) {
    return Status::Internal("migration id " + std::to_string(id) + " is no longer in phase " +
                            PhaseName(from) + " in " + Table("migrations") +
                            ", so it was not moved to phase " + PhaseName(to) +
                            "; `tandem status` shows where it is");
  }
  return Status::Ok();
}

Status StateStore::SetStepsDone(long long id, int steps_done) {
  return UpdateMigration(id, "steps_done = $2", {std::to_string(steps_done)});
}

Status StateStore::SetBackfillDone(long long id) {
  return UpdateMigration(id, "backfill_done = 't', backfill_done_at = " + sql_->Now(), {});
}

Result<bool> StateStore::SetPaused(const std::string& schema, bool paused) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("UPDATE " + Table("migrations") + " SET paused = $2, updated_at = " +
                      sql_->Now() + " WHERE schema_name = $1 AND " + Unfinished() + " RETURNING id",
                  {schema, paused ? "t" : "f"}));
  if (rows.rows.empty()) return false;
  TANDEM_ASSIGN_OR_RETURN(long long id,
                          backend::ToInteger(rows.Scalar(), "the id of the migration"));
  TANDEM_RETURN_IF_ERROR(Append(id, {.phase = "backfill",
                                     .kind = "control",
                                     .description = paused ? "paused" : "resumed",
                                     .outcome = "ok"}));
  return true;
}

Result<bool> StateStore::IsPaused(long long id) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("SELECT paused FROM " + Table("migrations") + " WHERE id = $1",
                  {std::to_string(id)}));
  return rows.Scalar() == backend::Value("t");
}

Status StateStore::Append(long long id, const Event& e) {
  Status appended = AppendUnannounced(id, e);
  if (appended.ok()) Announce(id, e);
  return appended;
}

Status StateStore::AppendUnannounced(long long id, const Event& e) {
  return conn_
      .Query("INSERT INTO " + Table("events") +
                 " (migration_id, phase, kind, description, sql, duration_ms, attempts, outcome, "
                 "detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
             {std::to_string(id), e.phase, e.kind, e.description,
              e.sql.empty() ? backend::Value() : backend::Value(e.sql),
              std::to_string(e.duration_ms), std::to_string(e.attempts), e.outcome,
              e.detail.empty() ? backend::Value() : backend::Value(e.detail)})
      .status();
}

Result<std::vector<RecordedEvent>> StateStore::SelectEvents(
    const std::string& rest, const std::vector<backend::Value>& params) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows,
                          conn_.Query(std::string("SELECT ") + kEventColumns + " FROM " +
                                          Table("events") + " WHERE migration_id = $1 " + rest,
                                      params));
  return ReadRows<RecordedEvent>(rows, EventFromRow);
}

Result<std::vector<RecordedEvent>> StateStore::Events(long long id) {
  return SelectEvents("ORDER BY id", {std::to_string(id)});
}

Result<std::optional<RecordedEvent>> StateStore::LastEvent(long long id, const std::string& kind) {
  TANDEM_ASSIGN_OR_RETURN(
      std::vector<RecordedEvent> events,
      SelectEvents("AND kind = $2 ORDER BY id DESC LIMIT 1", {std::to_string(id), kind}));
  if (events.empty()) return std::optional<RecordedEvent>();
  return std::optional<RecordedEvent>(events[0]);
}

Result<std::vector<SchemaEvent>> StateStore::EventsAfter(const std::string& schema,
                                                         long long after_id, int limit) {
  std::string migrations = Table("migrations");
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query(std::string("SELECT ") + kEventColumns + ", (SELECT name FROM " + migrations +
                      " m WHERE m.id = migration_id) FROM " + Table("events") +
                      " WHERE migration_id IN (SELECT id FROM " + migrations +
                      " WHERE schema_name = $1) AND id > $2 ORDER BY id LIMIT $3",
                  {schema, std::to_string(after_id), std::to_string(limit)}));
  return ReadRows<SchemaEvent>(rows, [](const backend::Row& r) -> Result<SchemaEvent> {
    TANDEM_ASSIGN_OR_RETURN(RecordedEvent recorded, EventFromRow(r));
    return SchemaEvent{r[10].value_or(""), std::move(recorded)};
  });
}

Result<std::optional<std::string>> StateStore::ControlTokenHash() {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("SELECT sha256 FROM " + Table("control_token") + " WHERE id = 1", {}));
  if (rows.rows.empty() || !rows.rows[0][0]) return std::optional<std::string>();
  return std::optional<std::string>(*rows.rows[0][0]);
}

Status StateStore::SetControlTokenHash(const std::string& sha256_hex) {
  return conn_
      .Query("INSERT INTO " + Table("control_token") + " (id, sha256) VALUES (1, $1) " +
                 "ON CONFLICT (id) DO UPDATE SET sha256 = excluded.sha256, created_at = " +
                 sql_->Now(),
             {sha256_hex})
      .status();
}

Result<std::set<std::string>> StateStore::StepsRun(long long id, const std::string& phase,
                                                   const std::string& outcome) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("SELECT DISTINCT description FROM " + Table("events") +
                      " WHERE migration_id = $1 AND phase = $2 AND kind = 'step' AND outcome = $3",
                  {std::to_string(id), phase, outcome}));
  std::set<std::string> steps;
  for (const auto& r : rows.rows) steps.insert(r[0].value_or(""));
  return steps;
}

Status StateStore::AppendVerifyRun(long long id, const VerifyRun& run) {
  return conn_
      .Query("INSERT INTO " + Table("verify_runs") +
                 " (migration_id, full_scan, passed, parity_percent, flags, report) VALUES ($1, "
                 "$2, $3, $4, $5, $6)",
             {std::to_string(id), run.full ? "t" : "f", run.passed ? "t" : "f",
              std::to_string(run.parity_percent), std::to_string(run.flags), run.report_json})
      .status();
}

Result<std::vector<VerifyRun>> StateStore::VerifyRuns(long long id) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("SELECT v.id, v.at, v.full_scan, v.passed, CASE WHEN "
                  "m.backfill_done_at IS NOT NULL AND v.at > m.backfill_done_at THEN 't' ELSE "
                  "'f' END, v.parity_percent, v.flags, v.report FROM " +
                      Table("verify_runs") + " v JOIN " + Table("migrations") +
                      " m ON m.id = v.migration_id WHERE v.migration_id = $1 ORDER BY v.id",
                  {std::to_string(id)}));
  std::vector<VerifyRun> runs;
  for (const auto& r : rows.rows) {
    backend::NumberReader read;
    runs.push_back({read.Integer(r[0], "the id"), *r[1], r[2] == backend::Value("t"),
                    r[3] == backend::Value("t"), r[4] == backend::Value("t"),
                    read.Double(r[5], "the parity"),
                    static_cast<int>(read.Integer(r[6], "the flags")), *r[7]});
    TANDEM_RETURN_IF_ERROR(
        read.status().WithContext("a verify run of migration " + std::to_string(id)));
  }
  return runs;
}

}  // namespace tandem::core
