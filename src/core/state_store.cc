#include "core/state_store.h"

#include "backfill/backfill.h"
#include "common/strings.h"

namespace tandem::core {
namespace {

constexpr char kColumns[] =
    "id, schema_name, name, version_schema, checksum, phase, plan::text, file_content, "
    "backfill_done, steps_done, db_user, coalesce(os_user, ''), started_at::text, "
    "coalesce(completed_at::text, ''), coalesce(rolled_back_at::text, ''), "
    "coalesce(backfill_done_at::text, '')";

MigrationRecord FromRow(const backend::Row& r) {
  MigrationRecord m;
  m.id = std::stoll(*r[0]);
  m.schema = *r[1];
  m.name = *r[2];
  m.version_schema = *r[3];
  m.checksum = *r[4];
  m.phase = *r[5];
  m.plan_json = r[6].value_or("");
  m.file_content = *r[7];
  m.backfill_done = r[8] == backend::Value("t");
  m.steps_done = std::stoi(*r[9]);
  m.db_user = *r[10];
  m.os_user = *r[11];
  m.started_at = *r[12];
  m.completed_at = *r[13];
  m.rolled_back_at = *r[14];
  m.backfill_done_at = *r[15];
  return m;
}

}  // namespace

std::string StateStore::Table(const std::string& name) const {
  return QualifiedName(schema_, name);
}

Status StateStore::Init() {
  // Creating is DDL (locks on tandem's own tables): skip it when everything
  // is already there, which is every call but the first.
  // A state schema of an older tandem lacks the newer tables: check them all.
  std::vector<backend::Value> tables = {Table("verify_runs"), Table("events")};
  for (const auto& name : backfill::CheckpointTableNames()) tables.push_back(Table(name));
  std::vector<std::string> checks;
  for (size_t i = 1; i <= tables.size(); ++i) {
    checks.push_back("to_regclass($" + std::to_string(i) + ") IS NOT NULL");
  }
  auto present = conn_.Query("SELECT " + Join(checks, " AND "), tables);
  if (present.ok() && present->Scalar() == backend::Value("t")) return Status::Ok();
  std::string migrations = Table("migrations");
  std::string events = Table("events");
  std::string sql = "CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(schema_) + ";\n" +
                    "CREATE TABLE IF NOT EXISTS " + migrations + R"sql( (
  id bigserial PRIMARY KEY,
  schema_name text NOT NULL,
  name text NOT NULL,
  version_schema text NOT NULL,
  checksum text NOT NULL,
  phase text NOT NULL,
  plan jsonb,
  file_content text NOT NULL,
  backfill_done boolean NOT NULL DEFAULT false,
  backfill_done_at timestamptz,
  paused boolean NOT NULL DEFAULT false,
  steps_done integer NOT NULL DEFAULT 0,
  db_user text NOT NULL DEFAULT current_user,
  os_user text,
  started_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  rolled_back_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
)sql" + "CREATE UNIQUE INDEX IF NOT EXISTS migrations_one_live_per_name ON " +
                    migrations + " (schema_name, name) WHERE phase <> 'rolled_back';\n" +
                    "CREATE TABLE IF NOT EXISTS " + Table("verify_runs") + " (\n" +
                    "  id bigserial PRIMARY KEY,\n  migration_id bigint NOT NULL REFERENCES " +
                    migrations + R"sql( (id),
  at timestamptz NOT NULL DEFAULT now(),
  full_scan boolean NOT NULL,
  passed boolean NOT NULL,
  parity_percent double precision NOT NULL,
  flags integer NOT NULL,
  report jsonb NOT NULL,
  db_user text NOT NULL DEFAULT current_user
);
)sql" + "CREATE TABLE IF NOT EXISTS " +
                    events + " (\n" +
                    "  id bigserial PRIMARY KEY,\n  migration_id bigint NOT NULL REFERENCES " +
                    migrations + R"sql( (id),
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  phase text NOT NULL,
  kind text NOT NULL,
  description text NOT NULL,
  sql text,
  duration_ms double precision,
  attempts integer,
  outcome text NOT NULL,
  detail text,
  db_user text NOT NULL DEFAULT current_user
);
)sql" +
                    // The event log is evidence: refuse edits, as an append-only log.
                    "CREATE OR REPLACE FUNCTION " + Table("events_append_only") +
                    "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                    "'tandem event log is append-only'; END $$;\n" +
                    "DROP TRIGGER IF EXISTS append_only ON " + events + ";\n" +
                    "CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON " + events +
                    " FOR EACH ROW EXECUTE FUNCTION " + Table("events_append_only") + "();\n" +
                    backfill::CheckpointTablesSql(schema_);
  // Two runners may init at once (before either holds the runner lock):
  // serialize on a transaction-level advisory lock.
  std::string guarded = "BEGIN; SELECT pg_advisory_xact_lock(1952542308, 0);\n" + sql + "\nCOMMIT;";
  Status status = conn_.Execute(guarded);
  if (!status.ok()) {
    if (conn_.Healthy()) (void)conn_.Execute("ROLLBACK");
    return status.WithContext("cannot create tandem's state schema \"" + schema_ +
                              "\" (the user needs CREATE on the database)");
  }
  return Status::Ok();
}

Result<bool> StateStore::Exists() {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows,
                          conn_.Query("SELECT to_regclass($1) IS NOT NULL", {Table("migrations")}));
  return rows.Scalar() == backend::Value("t");
}

Result<std::vector<MigrationRecord>> StateStore::Select(const std::string& where,
                                                        const std::vector<backend::Value>& params) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows,
                          conn_.Query(std::string("SELECT ") + kColumns + " FROM " +
                                          Table("migrations") + " WHERE " + where + " ORDER BY id",
                                      params));
  std::vector<MigrationRecord> out;
  for (const auto& r : rows.rows) out.push_back(FromRow(r));
  return out;
}

Result<std::optional<MigrationRecord>> StateStore::Active(const std::string& schema) {
  TANDEM_ASSIGN_OR_RETURN(
      auto rows,
      Select("schema_name = $1 AND phase NOT IN ('completed', 'rolled_back')", {schema}));
  if (rows.empty()) return std::optional<MigrationRecord>();
  return std::optional<MigrationRecord>(rows.back());
}

Result<std::optional<MigrationRecord>> StateStore::Completed(const std::string& schema,
                                                             const std::string& name) {
  TANDEM_ASSIGN_OR_RETURN(
      auto rows, Select("schema_name = $1 AND name = $2 AND phase = 'completed'", {schema, name}));
  if (rows.empty()) return std::optional<MigrationRecord>();
  return std::optional<MigrationRecord>(rows.back());
}

Result<std::vector<MigrationRecord>> StateStore::History(const std::string& schema) {
  return Select("schema_name = $1", {schema});
}

Result<std::vector<std::string>> StateStore::CompletedVersionSchemas(const std::string& schema) {
  TANDEM_ASSIGN_OR_RETURN(auto rows, Select("schema_name = $1 AND phase = 'completed'", {schema}));
  std::vector<std::string> out;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) out.push_back(it->version_schema);
  return out;
}

Result<long long> StateStore::Insert(const MigrationRecord& r) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("INSERT INTO " + Table("migrations") +
                      " (schema_name, name, version_schema, checksum, phase, plan, file_content, "
                      "os_user) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) RETURNING id",
                  {r.schema, r.name, r.version_schema, r.checksum, r.phase, r.plan_json,
                   r.file_content, r.os_user}));
  return std::stoll(*rows.Scalar());
}

Status StateStore::SetPhase(long long id, const std::string& phase) {
  std::string stamp = phase == kPhaseCompleted    ? ", completed_at = now()"
                      : phase == kPhaseRolledBack ? ", rolled_back_at = now()"
                                                  : "";
  return conn_
      .Query("UPDATE " + Table("migrations") +
                 " SET phase = $2, steps_done = 0, updated_at = now()" + stamp + " WHERE id = $1",
             {std::to_string(id), phase})
      .status();
}

Status StateStore::SetStepsDone(long long id, int steps_done) {
  return conn_
      .Query("UPDATE " + Table("migrations") +
                 " SET steps_done = $2, updated_at = now() WHERE id = $1",
             {std::to_string(id), std::to_string(steps_done)})
      .status();
}

Status StateStore::SetBackfillDone(long long id) {
  return conn_
      .Query("UPDATE " + Table("migrations") +
                 " SET backfill_done = true, backfill_done_at = now(), updated_at = now() "
                 "WHERE id = $1",
             {std::to_string(id)})
      .status();
}

Result<bool> StateStore::SetPaused(const std::string& schema, bool paused) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("UPDATE " + Table("migrations") +
                      " SET paused = $2, updated_at = now() WHERE schema_name = $1 AND phase NOT "
                      "IN ('completed', 'rolled_back') RETURNING id",
                  {schema, paused ? "t" : "f"}));
  if (rows.rows.empty()) return false;
  TANDEM_RETURN_IF_ERROR(
      Append(std::stoll(*rows.Scalar()),
             {"backfill", "control", paused ? "paused" : "resumed", "", 0, 0, "ok", ""}));
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

Result<std::optional<RecordedEvent>> StateStore::LastEvent(long long id, const std::string& kind) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("SELECT phase, kind, description, coalesce(duration_ms, 0)::text, outcome, "
                  "coalesce(detail, ''), at::text FROM " +
                      Table("events") +
                      " WHERE migration_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1",
                  {std::to_string(id), kind}));
  if (rows.rows.empty()) return std::optional<RecordedEvent>();
  const backend::Row& r = rows.rows[0];
  RecordedEvent recorded;
  Event& event = recorded.event;
  event.phase = r[0].value_or("");
  event.kind = r[1].value_or("");
  event.description = r[2].value_or("");
  event.duration_ms = std::stod(r[3].value_or("0"));
  event.outcome = r[4].value_or("");
  event.detail = r[5].value_or("");
  recorded.at = r[6].value_or("");
  return std::optional<RecordedEvent>(recorded);
}

Status StateStore::AppendVerifyRun(long long id, const VerifyRun& run) {
  return conn_
      .Query("INSERT INTO " + Table("verify_runs") +
                 " (migration_id, full_scan, passed, parity_percent, flags, report) VALUES ($1, "
                 "$2, $3, $4, $5, $6::jsonb)",
             {std::to_string(id), run.full ? "t" : "f", run.passed ? "t" : "f",
              std::to_string(run.parity_percent), std::to_string(run.flags), run.report_json})
      .status();
}

Result<std::vector<VerifyRun>> StateStore::VerifyRuns(long long id) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query("SELECT v.id, v.at::text, v.full_scan, v.passed, "
                  "m.backfill_done_at IS NOT NULL AND v.at > m.backfill_done_at, "
                  "v.parity_percent, v.flags, v.report::text FROM " +
                      Table("verify_runs") + " v JOIN " + Table("migrations") +
                      " m ON m.id = v.migration_id WHERE v.migration_id = $1 ORDER BY v.id",
                  {std::to_string(id)}));
  std::vector<VerifyRun> runs;
  for (const auto& r : rows.rows) {
    runs.push_back({std::stoll(*r[0]), *r[1], r[2] == backend::Value("t"),
                    r[3] == backend::Value("t"), r[4] == backend::Value("t"), std::stod(*r[5]),
                    std::stoi(*r[6]), *r[7]});
  }
  return runs;
}

}  // namespace tandem::core
