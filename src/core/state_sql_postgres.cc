// tandem's state tables on PostgreSQL: a schema of their own.
#include "backfill/postgres/backfill.h"
#include "common/strings.h"
#include "core/flag_sql.h"
#include "core/state_sql.h"

namespace tandem::core {
namespace {

class PostgresStateSql : public StateSql {
 public:
  explicit PostgresStateSql(std::string state_schema) : schema_(std::move(state_schema)) {}

  std::string Table(const std::string& name) const override { return QualifiedName(schema_, name); }

  std::string Now() const override { return "now()"; }

  std::string Exist(const std::vector<std::string>& names) const override {
    std::vector<std::string> checks;
    for (const auto& t : names) {
      checks.push_back("to_regclass(" + QuoteLiteral(Table(t)) + ") IS NOT NULL");
    }
    return "SELECT " + Join(checks, " AND ");
  }

  std::vector<std::string> AllTables() const override {
    std::vector<std::string> tables = {"migrations", "verify_runs",   "events",
                                       "flags",      "control_token", "governance"};
    // The backfill's checkpoints are PostgreSQL's only.
    for (const auto& t : backfill::CheckpointTableNames()) tables.push_back(t);
    return tables;
  }

  std::string FlagQuery(const std::string& migrated_schema) const override {
    return "SELECT " + Table("flag") + "(:flag, :subject, " + QuoteLiteral(migrated_schema) + ")";
  }

  std::string Create() const override;

 private:
  // The flags of each migration, and the function applications ask.
  std::string CreateFlags() const;
  // The SHA-256 of the bearer token that `tandem serve`'s control API
  // accepts: one row at most, never the token itself.
  std::string CreateControlToken() const;

  std::string schema_;
};

std::string PostgresStateSql::CreateFlags() const {
  std::string decision = FlagDecisionSql({.code_point_function = "ascii",
                                          .flags_table = Table("flags"),
                                          .migrations_table = Table("migrations"),
                                          .flag = "flag_name",
                                          .subject = "subject",
                                          .schema_condition = "m.schema_name = migrated_schema"});
  return "CREATE TABLE IF NOT EXISTS " + Table("flags") + " (\n" +
         "  migration_id bigint NOT NULL REFERENCES " + Table("migrations") + R"sql( (id),
  name text NOT NULL,
  basis_points integer NOT NULL CHECK (basis_points BETWEEN 0 AND 10000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (migration_id, name)
);
)sql" + "CREATE OR REPLACE FUNCTION " +
         Table("flag") +
         "(flag_name text, subject text, migrated_schema text DEFAULT 'public')\n"
         // STABLE: one answer per statement, so a query filtering on it
         // sees one ramp. SECURITY DEFINER with a fixed search_path: an
         // application role needs only USAGE on the state schema, not
         // rights on tandem's tables.
         "RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER "
         "SET search_path = pg_catalog, pg_temp AS $tandem_flag$\n" +
         decision + "\n$tandem_flag$;\n";
}

std::string PostgresStateSql::CreateControlToken() const {
  return "CREATE TABLE IF NOT EXISTS " + Table("control_token") + R"sql( (
  id integer PRIMARY KEY CHECK (id = 1),
  sha256 text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
)sql";
}

std::string PostgresStateSql::Create() const {
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
                    CreateFlags() + CreateControlToken() + "CREATE TABLE IF NOT EXISTS " +
                    Table("governance") +
                    R"sql( (
  id bigserial PRIMARY KEY,
  schema_name text NOT NULL,
  migration text NOT NULL,
  kind text NOT NULL,
  checksum text NOT NULL,
  by_name text NOT NULL,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  detail text NOT NULL,
  db_user text NOT NULL DEFAULT current_user
);
)sql" + backfill::CheckpointTablesSql(schema_);
  // Two runners may init at once (before either holds the runner lock):
  // serialize on a transaction-level advisory lock.
  return "BEGIN; SELECT pg_advisory_xact_lock(1952542308, 0);\n" + sql + "\nCOMMIT;";
}

}  // namespace

std::unique_ptr<StateSql> MakePostgresStateSql(std::string state_schema) {
  return std::make_unique<PostgresStateSql>(std::move(state_schema));
}

}  // namespace tandem::core
