// What the planner produces: the SQL of each phase, with the lock each step
// takes, plus what the dual-write triggers and the backfill need.
//
// A Plan is computed once, at `start`, against the live schema, and stored
// (as JSON) in tandem's state schema, so `complete` and `rollback` replay
// exactly what was planned even though the schema has changed since.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "plan/catalog.h"

namespace tandem::plan {

// PostgreSQL's table-level lock modes, weakest first.
enum class LockLevel {
  kNone,
  kAccessShare,
  kRowShare,
  kRowExclusive,
  kShareUpdateExclusive,
  kShare,
  kShareRowExclusive,
  kExclusive,
  kAccessExclusive,
};

const char* LockLevelName(LockLevel level);
// What the lock blocks, in words a person reads in `plan` output.
const char* LockLevelEffect(LockLevel level);

// What a step is to the lifecycle, beyond the phase whose list holds it.
enum class StepKind {
  kPlain,
  // complete's switch: once it ran, the old version is gone, and rollback
  // is no longer possible.
  kSwitch,
  // SQLite's online table rebuild (Step::copy): fills a table beside the
  // live one in short chunks while triggers keep it in sync.
  kCopyRows,
  // Empties a table in short chunks, then drops it (Step::copy.source):
  // a table left behind by an online rebuild.
  kDrainTable,
};

// What a kCopyRows or kDrainTable step works on.
struct TableCopy {
  std::string source;  // the live table (kDrainTable: the table to empty)
  std::string target;  // the table filled beside it
  // One short transaction, safe to run again: creates the target in its
  // final shape, its indexes and the triggers that copy every write of the
  // source into it.
  std::vector<std::string> prepare;
  // Copies the rows whose rowid is after $1 and up to $2 that the target
  // does not hold yet (a row it holds was written there by a trigger, and
  // is current).
  std::string copy;
};

// One unit of work run by the lock-safe executor. The statements of a step
// run in one transaction (retried as a whole on a lock timeout) unless
// `concurrent` is set, in which case the single statement runs outside any
// transaction, as CREATE/DROP INDEX CONCURRENTLY requires.
struct Step {
  std::string description;
  StepKind kind = StepKind::kPlain;
  std::vector<std::string> statements;
  std::vector<std::string> tables;  // tables whose locks it waits for: for blocker reports
  LockLevel lock = LockLevel::kNone;
  bool concurrent = false;
  // For a concurrent index build: the index to drop if a failed attempt left
  // it INVALID, before retrying.
  std::string index_to_clean;
  // SQLite table rebuild: runs with foreign key enforcement off and ends
  // with PRAGMA foreign_key_check, which must find nothing before COMMIT.
  bool check_foreign_keys = false;
  // kCopyRows and kDrainTable: the tables and the SQL.
  std::optional<TableCopy> copy;
  // A rollback step: the index of the expand step whose objects it drops,
  // or -1 when it is tied to none. The rollback of a start that stopped
  // part-way skips the steps whose expand step never ran: objects under
  // those names, if any, belong to another migration.
  int undoes_expand_step = -1;
};

// One column kept in sync by the dual-write trigger: `target` (a physical
// column) := `expression` (already rewritten to read NEW."physical").
struct ColumnSync {
  std::string target;
  std::string expression;
};

// Everything about one table's dual-write and backfill.
struct TableSync {
  std::string table;                     // physical name
  std::vector<std::string> key_columns;  // primary key (or unique not-null key)
  std::vector<ColumnSync> up;            // run for writes through any other version
  std::vector<ColumnSync> down;          // run for writes through the new version
  bool backfill = false;                 // existing rows need `up` applied
  // The dual-write triggers it installs on the table, so that a check can
  // tell one that went missing; empty where the engine's planner does not
  // name them (then any tandem trigger on the table counts).
  std::vector<std::string> triggers;
};

struct ViewColumn {
  std::string name;      // as the new version sees it
  std::string physical;  // column of the physical table
};

struct View {
  std::string name;            // as the new version sees the table
  std::string physical_table;  // table in the migrated schema
  std::vector<ViewColumn> columns;
  // Where the new version does not reach the table by the version schema
  // (SQLite): what it uses, in words `plan` and `status` print.
  std::string access;
};

// A query that plans (but does not run) a user expression against the live
// schema, so an unknown function or a type error is reported before anything
// changes. `where` is file:line:col and key path of the expression.
struct ExpressionCheck {
  std::string where;
  std::string sql;
};

// A statement of `start` that rollback cannot undo (a raw `sql` that drops
// or empties something): `start` refuses the plan unless the user accepts it
// explicitly (--allow-irreversible).
struct Irreversible {
  std::string rule;       // stable rule code, e.g. TD101
  std::string where;      // FILE:LINE:COL: operations[i].sql.up
  std::string statement;  // as written
  std::string what;       // "drops a table"
};

// What `complete` takes away from the old version's shape. An object of
// the database that still uses one of them (a view, a function, a policy...)
// makes the switch fail, or breaks or vanishes with it: the hidden-reader
// audit (readers/) looks for them before complete runs.
enum class RetiredChange {
  kDropped,   // gone after complete
  kReplaced,  // dropped; the new version's column of the same name takes its place
  kRenamed,   // takes the name `renamed_to`
};

struct Retired {
  std::string table;   // the physical table in Plan::schema, as named before complete
  std::string column;  // empty: the table itself
  RetiredChange change = RetiredChange::kDropped;
  std::string renamed_to;  // kRenamed
};

const char* RetiredChangeName(RetiredChange change);  // "dropped", "replaced", "renamed"

// What a plan was derived from besides its file: stored with the plan, so
// that the plan can be derived again from the stored file and compared with
// the stored one before it runs.
struct PlanInputs {
  Catalog catalog;
  std::vector<std::string> previous_version_schemas;
};

struct Plan {
  std::string schema;          // the migrated schema, e.g. public
  std::string version_schema;  // e.g. public_02_add_email
  std::string state_schema;    // e.g. tandem
  std::vector<Step> expand;
  // Run as soon as the backfill has filled the new columns: the
  // validations of the constraints expand added NOT VALID (complete runs
  // them again, at no cost once they hold).
  std::vector<Step> after_backfill;
  std::vector<Step> complete;
  std::vector<Step> rollback;
  // The read switch (plan/live_schema.h): the live schema, a stable name
  // for the current version, and the steps that point it at the new
  // version (`switch`) and back at the old one (`switch --back`). Empty
  // where the engine keeps no live schema (SQLite).
  std::string live_schema;  // e.g. public_live
  std::vector<Step> switch_to_new;
  std::vector<Step> switch_back;
  std::vector<TableSync> syncs;
  std::vector<View> views;
  std::vector<ExpressionCheck> checks;
  std::vector<std::string> warnings;  // things a person should know before running it
  std::vector<Irreversible> irreversible;
  // What complete retires: columns and tables of the old shape, and the
  // version schemas of earlier migrations (the old version's), which it drops.
  std::vector<Retired> retired;
  std::vector<std::string> retired_versions;
  // How an application reaches the new version, when it is not by the
  // version schema on the search_path (SQLite). Not stored.
  std::string version_access;
  // Set only on the plan `start` stores.
  std::optional<PlanInputs> inputs;
};

// Refused (exit 1) when the plan holds irreversible statements: names each
// one with its rule code and place, and what to do instead.
Status RefuseIrreversible(const Plan& plan);

// Names tandem gives to the objects it creates. Kept in one place so the
// planner, the backfill and the tests agree.
std::string NewColumnName(const std::string& column);  // _tandem_new_<column>
// Which version last wrote a row of a synced table: kWrittenByOld (the old
// version, or the backfill, so the new columns hold `up`), kWrittenByNew
// (the new version, so the old columns hold `down`), NULL (not backfilled
// yet). The backfill skips rows that have a value; verify checks each row
// in the direction that wrote it.
inline constexpr char kWrittenByColumn[] = "_tandem_written_by";
inline constexpr char kWrittenByOld[] = "'o'";
inline constexpr char kWrittenByNew[] = "'n'";
inline constexpr char kTriggerName[] = "_tandem_dual_write";
// A session with this setting "on" (the backfill's own) computes `up` in its
// UPDATE itself, so the dual-write trigger's WHEN clause skips it: a
// PL/pgSQL call per row is most of a chunk's cost. Every other session fires
// the trigger.
inline constexpr char kBackfillSessionSetting[] = "tandem.backfill_session";
std::string TriggerFunctionName(const std::string& schema, const std::string& table);
std::string VersionSchemaName(const std::string& schema, const std::string& version);
// The live schema of `schema` (<schema>_live): views of the version the
// application should use now, repointed by `switch` (plan/live_schema.cc).
std::string LiveSchemaName(const std::string& schema);

}  // namespace tandem::plan
