// tandem's state tables on SQLite: one namespace per file, so their names
// carry the state schema as a prefix.
#include "common/strings.h"
#include "core/flag_sql.h"
#include "core/state_sql.h"

namespace tandem::core {
namespace {

class SqliteStateSql : public StateSql {
 public:
  explicit SqliteStateSql(std::string state_schema) : schema_(std::move(state_schema)) {}

  std::string Table(const std::string& name) const override {
    return QuoteIdent(schema_ + "_" + name);
  }

  std::string Now() const override { return "strftime('%Y-%m-%d %H:%M:%f+00', 'now')"; }

  std::string Exist(const std::vector<std::string>& names) const override {
    std::vector<std::string> bare;
    for (const auto& t : names) bare.push_back(QuoteLiteral(schema_ + "_" + t));
    return "SELECT CASE WHEN count(*) = " + std::to_string(bare.size()) +
           " THEN 't' ELSE 'f' END FROM sqlite_schema WHERE type = 'table' AND name IN (" +
           Join(bare, ", ") + ")";
  }

  std::vector<std::string> AllTables() const override {
    return {"migrations",    "verify_runs", "events",           "flags",
            "control_token", "governance",  "backfill_progress"};
  }

  // SQLite runs no function of tandem's for another application, so the
  // decision is a query any client runs with :flag and :subject bound.
  std::string FlagQuery(const std::string&) const override {
    return FlagDecisionSql({.code_point_function = "unicode",
                            .flags_table = Table("flags"),
                            .migrations_table = Table("migrations"),
                            .flag = ":flag",
                            .subject = ":subject",
                            .schema_condition = ""});
  }

  std::string Create() const override;

 private:
  std::string schema_;
};

std::string SqliteStateSql::Create() const {
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
)sql" + "CREATE TABLE IF NOT EXISTS " +
                    Table("flags") + " (\n  id INTEGER PRIMARY KEY,\n" +
                    "  migration_id INTEGER NOT NULL REFERENCES " + migrations + R"sql( (id),
  name TEXT NOT NULL,
  basis_points INTEGER NOT NULL CHECK (basis_points BETWEEN 0 AND 10000),
  updated_at TEXT NOT NULL DEFAULT )sql" +
                    now + R"sql(
);
)sql" +
                    // A named index, not a composite key, whose automatic index
                    // would carry a name without the state tables' prefix.
                    "CREATE UNIQUE INDEX IF NOT EXISTS " +
                    QuoteIdent(schema_ + "_flags_one_per_name") + " ON " + Table("flags") +
                    " (migration_id, name);\n" +
                    // The SHA-256 of `tandem serve`'s control token, never the token.
                    "CREATE TABLE IF NOT EXISTS " + Table("control_token") +
                    " (\n  id INTEGER PRIMARY KEY CHECK (id = 1),\n  sha256 TEXT NOT NULL,\n" +
                    "  created_at TEXT NOT NULL DEFAULT " + now + "\n);\n" +
                    "CREATE TABLE IF NOT EXISTS " + Table("governance") + R"sql( (
  id INTEGER PRIMARY KEY,
  schema_name TEXT NOT NULL,
  migration TEXT NOT NULL,
  kind TEXT NOT NULL,
  checksum TEXT NOT NULL,
  by_name TEXT NOT NULL,
  at TEXT NOT NULL DEFAULT )sql" +
                    now + R"sql(,
  detail TEXT NOT NULL
);
)sql" +
                    // The backfill's progress per table (core/sqlite_progress.h):
                    // SQLite's backfill keeps no checkpoints.
                    "CREATE TABLE IF NOT EXISTS " + Table("backfill_progress") + R"sql( (
  migration_id INTEGER NOT NULL,
  table_name TEXT NOT NULL,
  rows_done INTEGER NOT NULL,
  rows_total INTEGER NOT NULL,
  rows_per_second REAL NOT NULL,
  eta_ms INTEGER,
  chunks INTEGER NOT NULL,
  batch_size INTEGER NOT NULL,
  workers INTEGER NOT NULL,
  max_workers INTEGER NOT NULL,
  waiting_reason TEXT NOT NULL,
  state TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
)sql" + "CREATE UNIQUE INDEX IF NOT EXISTS " +
                    QuoteIdent(schema_ + "_backfill_progress_one_per_table") + " ON " +
                    Table("backfill_progress") + " (migration_id, table_name);\n";
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

}  // namespace

std::unique_ptr<StateSql> MakeSqliteStateSql(std::string state_schema) {
  return std::make_unique<SqliteStateSql>(std::move(state_schema));
}

}  // namespace tandem::core
