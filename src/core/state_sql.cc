#include "core/state_sql.h"

#include "backfill/postgres/backfill.h"
#include "common/strings.h"

namespace tandem::core {

std::string StateSql::Table(const std::string& name) const {
  if (engine_ == backend::Engine::kSqlite) return QuoteIdent(schema_ + "_" + name);
  return QualifiedName(schema_, name);
}

std::string StateSql::Now() const {
  if (engine_ == backend::Engine::kSqlite) return "strftime('%Y-%m-%d %H:%M:%f+00', 'now')";
  return "now()";
}

std::string StateSql::Exist(const std::vector<std::string>& names) const {
  if (engine_ == backend::Engine::kSqlite) {
    std::vector<std::string> bare;
    for (const auto& t : names) bare.push_back(QuoteLiteral(schema_ + "_" + t));
    return "SELECT CASE WHEN count(*) = " + std::to_string(bare.size()) +
           " THEN 't' ELSE 'f' END FROM sqlite_schema WHERE type = 'table' AND name IN (" +
           Join(bare, ", ") + ")";
  }
  std::vector<std::string> checks;
  for (const auto& t : names) {
    checks.push_back("to_regclass(" + QuoteLiteral(Table(t)) + ") IS NOT NULL");
  }
  return "SELECT " + Join(checks, " AND ");
}

std::vector<std::string> StateSql::AllTables() const {
  std::vector<std::string> tables = {"migrations", "verify_runs", "events"};
  // The backfill's checkpoints are PostgreSQL's only.
  if (engine_ == backend::Engine::kPostgres) {
    for (const auto& t : backfill::CheckpointTableNames()) tables.push_back(t);
  }
  return tables;
}

std::string StateSql::Create() const {
  return engine_ == backend::Engine::kSqlite ? CreateSqlite() : CreatePostgres();
}

std::string StateSql::CreatePostgres() const {
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
  return "BEGIN; SELECT pg_advisory_xact_lock(1952542308, 0);\n" + sql + "\nCOMMIT;";
}

std::string StateSql::CreateSqlite() const {
  std::string migrations = Table("migrations");
  std::string events = Table("events");
  std::string now = "(" + Now() + ")";
  std::string sql = "CREATE TABLE IF NOT EXISTS " + migrations + R"sql( (
  id INTEGER PRIMARY KEY,
  schema_name TEXT NOT NULL,
  name TEXT NOT NULL,
  version_schema TEXT NOT NULL,
  checksum TEXT NOT NULL,
  phase TEXT NOT NULL,
  plan TEXT,
  file_content TEXT NOT NULL,
  backfill_done TEXT NOT NULL DEFAULT 'f',
  backfill_done_at TEXT,
  paused TEXT NOT NULL DEFAULT 'f',
  steps_done INTEGER NOT NULL DEFAULT 0,
  db_user TEXT NOT NULL DEFAULT '',
  os_user TEXT,
  started_at TEXT NOT NULL DEFAULT )sql" +
                    now + R"sql(,
  completed_at TEXT,
  rolled_back_at TEXT,
  updated_at TEXT NOT NULL DEFAULT )sql" +
                    now + R"sql(
);
)sql" + "CREATE UNIQUE INDEX IF NOT EXISTS " +
                    QuoteIdent(schema_ + "_migrations_one_live_per_name") + " ON " + migrations +
                    " (schema_name, name) WHERE phase <> 'rolled_back';\n" +
                    "CREATE TABLE IF NOT EXISTS " + Table("verify_runs") + " (\n" +
                    "  id INTEGER PRIMARY KEY,\n  migration_id INTEGER NOT NULL REFERENCES " +
                    migrations + " (id),\n  at TEXT NOT NULL DEFAULT " + now + R"sql(,
  full_scan TEXT NOT NULL,
  passed TEXT NOT NULL,
  parity_percent REAL NOT NULL,
  flags INTEGER NOT NULL,
  report TEXT NOT NULL,
  db_user TEXT NOT NULL DEFAULT ''
);
)sql" + "CREATE TABLE IF NOT EXISTS " +
                    events + " (\n" + "  id INTEGER PRIMARY KEY,\n  migration_id INTEGER NOT " +
                    "NULL REFERENCES " + migrations + " (id),\n  at TEXT NOT NULL DEFAULT " + now +
                    R"sql(,
  phase TEXT NOT NULL,
  kind TEXT NOT NULL,
  description TEXT NOT NULL,
  sql TEXT,
  duration_ms REAL,
  attempts INTEGER,
  outcome TEXT NOT NULL,
  detail TEXT,
  db_user TEXT NOT NULL DEFAULT ''
);
)sql";
  // The event log is evidence: refuse edits, as an append-only log.
  for (const char* event : {"UPDATE", "DELETE"}) {
    sql += "CREATE TRIGGER IF NOT EXISTS " +
           QuoteIdent(schema_ + "_events_append_only_" + ToLower(event)) + " BEFORE " + event +
           " ON " + events +
           " BEGIN SELECT RAISE(ABORT, 'tandem event log is append-only'); END;\n";
  }
  // IMMEDIATE takes the write lock first, so two runners creating at once
  // run one after the other.
  return "BEGIN IMMEDIATE;\n" + sql + "COMMIT;";
}

}  // namespace tandem::core
