// The database behind a small interface: what core, backfill and verify may
// ask of a database, so that nothing above this layer includes a client
// library's header (ARCHITECTURE.md, "Modules and their direction").
//
// A Connection is one session; it is not thread-safe and is owned by one
// caller at a time. A Database knows how to open connections and answers
// questions whose SQL differs between engines (catalog, locks, blockers).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/duration.h"
#include "common/status.h"
#include "plan/catalog.h"
#include "plan/plan.h"

namespace tandem::backend {

// The comment before every statement tandem's PostgreSQL sessions send.
// pg_stat_statements keeps a statement's text with its leading comment, so
// the hidden-reader audit tells tandem's own statements (backfill, verify,
// the state store) from the applications' by it.
inline constexpr char kStatementMarker[] = "/* tandem */ ";

using Value = std::optional<std::string>;  // NULL is nullopt
using Row = std::vector<Value>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  long long affected = 0;  // rows changed by INSERT/UPDATE/DELETE

  // The first row's first value, or nullopt when there is none.
  Value Scalar() const { return rows.empty() || rows[0].empty() ? Value() : rows[0][0]; }
};

// A value that keeps the type the database gave it (SQLite's storage
// classes: NULL, integer, real, text, blob), so that a value read on one
// connection is written on another exactly as it was computed: text would
// lose a real's last digits and turn an integer into a string.
struct Blob {
  std::string bytes;
  bool operator==(const Blob&) const = default;
};
using TypedValue = std::variant<std::monostate, long long, double, std::string, Blob>;
using TypedRow = std::vector<TypedValue>;

class Connection {
 public:
  virtual ~Connection() = default;
  // Runs one or more statements without parameters.
  virtual Status Execute(const std::string& sql) = 0;
  // Runs one statement with $1..$n parameters (text), returning its rows.
  virtual Result<QueryResult> Query(const std::string& sql,
                                    const std::vector<Value>& params = {}) = 0;
  // Like Query, with the values' own types kept. Engines whose values
  // survive text (PostgreSQL) do not need it: kInternal there.
  virtual Result<std::vector<TypedRow>> QueryTyped(const std::string& sql,
                                                   const std::vector<Value>& params);
  // Runs `sql` once for each of rows[first, first + count), binding the
  // row's values as $1..$n. Returns the number of rows changed in all.
  virtual Result<long long> ExecuteForEachRow(const std::string& sql,
                                              const std::vector<TypedRow>& rows, size_t first,
                                              size_t count);
  // True when the session is still usable (a lost connection is not).
  virtual bool Healthy() const = 0;
  // Opens the session again in place, with the parameters it was opened
  // with: after the server restarted or the session was killed. What the
  // old session held (locks, settings made since opening) is gone.
  virtual Status Reconnect() = 0;
  // Who we are on the server: "user@host:port/db", never the password.
  virtual std::string Describe() const = 0;
};

// How DDL waits for locks: never longer than `lock_timeout` in the queue,
// retried with jittered exponential backoff until `deadline`.
struct LockPolicy {
  Millis lock_timeout{500};
  Millis deadline{10 * 60 * 1000};
  Millis backoff_base{100};
  Millis backoff_cap{10 * 1000};
  int max_attempts = 0;  // attempts per step before giving up; 0: until the deadline
};

struct StepOutcome {
  int attempts = 0;
  Millis duration{0};
};

// Told about each failed attempt of a step: its number, the error, and who
// held the lock it waited for (one description per session; empty when the
// engine cannot say).
using RetryObserver =
    std::function<void(int attempt, const Status& error, const std::vector<std::string>& blockers)>;

// Which SQL dialect a database speaks: the planner, the state store, the
// backfill and the verifier pick their SQL by it.
enum class Engine { kPostgres, kSqlite };

// One of tandem's objects on a table (see Database::MigrationObjectsOn).
struct MigrationObject {
  bool trigger = false;  // a dual-write trigger, else a column
  std::string description;
  std::string name;  // as the catalog has it
  // The state schema of the migration that installed it, where the
  // database says (a PostgreSQL trigger's function lives there); else empty.
  std::string state_schema;
};

class Database {
 public:
  virtual ~Database() = default;
  virtual Engine engine() const = 0;
  virtual Result<std::unique_ptr<Connection>> Connect() = 0;
  // A connection for a command that only reads (`plan`): it leaves the
  // database exactly as it was, settings that persist in it included.
  virtual Result<std::unique_ptr<Connection>> ConnectToRead() { return Connect(); }
  // An empty database of this engine that nothing else sees, gone when the
  // connection closes: where `plan` times statements (SQLite, in memory).
  virtual Result<std::unique_ptr<Connection>> ConnectToScratch() {
    return Status::Refused(Describe() + " has no scratch database");
  }
  virtual std::string Describe() const = 0;
  virtual Result<plan::Catalog> LoadCatalog(Connection& conn, const std::string& schema) = 0;
  // Runs one planned step (whose tables live in `schema`) under the lock policy.
  // `record`, when set, runs on `conn` once the step's statements have: on
  // SQLite inside the step's transaction, so that what records the step
  // (tandem's state lives in the same file) commits with it or not at all;
  // on PostgreSQL right after the step commits.
  virtual Result<StepOutcome> RunStep(Connection& conn, const std::string& schema,
                                      const plan::Step& step, const LockPolicy& policy,
                                      const RetryObserver& observer,
                                      const std::function<Status()>& record) = 0;
  // Takes the runner lock for `key` on `conn` (held for the session) without
  // waiting. Returns false when someone else holds it.
  virtual Result<bool> TryRunnerLock(Connection& conn, const std::string& key) = 0;
  // Who holds the runner lock for `key`, in words.
  virtual std::string DescribeRunnerLockHolder(Connection& conn, const std::string& key) = 0;
  // tandem's objects installed on `table` of `schema` by a migration in
  // flight (its dual-write triggers, shadow columns), whichever state schema
  // keeps that migration's records; empty when none.
  virtual Result<std::vector<MigrationObject>> MigrationObjectsOn(Connection& conn,
                                                                  const std::string& schema,
                                                                  const std::string& table) = 0;
  // Refuses connections through a pooler in transaction mode, where session
  // state (advisory locks, SET) does not survive between statements.
  virtual Status CheckSessionState(Connection& conn) = 0;
  // Refuses when two connections share one server session, which a pooler
  // in transaction mode does as soon as one of them is idle.
  virtual Status CheckSeparateSessions(Connection& first, Connection& second) = 0;
  // An online copy of the whole database in a new file at `path`, made by
  // the engine's backup while others keep writing, opened as a Database of
  // its own (a rehearsal's scratch copy). kRefused where the engine has no
  // such copy: PostgreSQL's rehearsal copies tables into a scratch schema.
  virtual Result<std::unique_ptr<Database>> BackupTo(const std::string& path);
};

// Opens the database named by `url` (postgres://, postgresql://, a libpq
// key=value string, sqlite:PATH, sqlite:///abs/path or a file: URI).
// kInvalidInput for an unsupported scheme.
Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url);

}  // namespace tandem::backend
