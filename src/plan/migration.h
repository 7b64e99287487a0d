// The in-memory form of a migration file: pgroll's documented operation
// format, one struct per operation kind, plus tandem's own sections.
//
// The reader fills these; the planner consumes them. Every struct records
// where its fields came from (SourcePos, 1-based line and column) so that a
// check against the live schema can still point at file:line:column.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/duration.h"

namespace tandem::plan {

struct SourcePos {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
};

// Positions of an object's fields, keyed by field name ("table", "columns[1]").
// The object's own position is under the empty key.
class Positions {
 public:
  void Set(const std::string& field, SourcePos pos) { by_field_[field] = pos; }
  // The field's position, else the object's own position.
  SourcePos At(const std::string& field = "") const {
    auto it = by_field_.find(field);
    if (it != by_field_.end()) return it->second;
    it = by_field_.find("");
    return it == by_field_.end() ? SourcePos{} : it->second;
  }

 private:
  std::map<std::string, SourcePos> by_field_;
};

// A field that may be absent, explicitly null, or set. pgroll uses an explicit
// null to mean "remove" (e.g. `default: null` drops a column default).
struct NullableString {
  bool present = false;
  bool is_null = false;
  std::string value;

  bool IsSet() const { return present && !is_null; }
};

struct CheckDef {
  std::string name;
  std::string constraint;  // SQL boolean expression
  bool no_inherit = false;
  Positions at;
};

struct ForeignKeyRef {
  std::string name;
  std::string table;
  std::vector<std::string> columns;  // `column` (single) is folded in here
  std::string on_delete;             // upper-cased; empty means NO ACTION
  std::string on_update;
  std::string match_type;  // SIMPLE | FULL | PARTIAL; empty means SIMPLE
  std::vector<std::string> on_delete_set_columns;
  bool deferrable = false;  // column-level `references` only; table level uses ConstraintDef's
  bool initially_deferred = false;
  Positions at;
};

struct UniqueDef {
  std::string name;
  Positions at;
};

struct Identity {
  std::string user_specified_values;  // ALWAYS | BY DEFAULT; the reader fills ALWAYS if absent
  std::string sequence_options;
};

struct Generated {
  std::string expression;            // stored generated column
  std::optional<Identity> identity;  // identity column
};

struct ColumnDef {
  std::string name;
  std::string type;
  NullableString comment;
  bool nullable = false;  // pgroll's default: NOT NULL unless `nullable: true`
  bool unique = false;
  bool pk = false;
  NullableString default_value;
  std::optional<CheckDef> check;
  std::optional<ForeignKeyRef> references;
  std::optional<Generated> generated;
  Positions at;
};

struct IndexParameters {
  std::string tablespace;
  std::string storage_parameters;
  std::vector<std::string> include_columns;
};

struct ExcludeDef {
  std::string index_method;
  std::string elements;
  std::string predicate;
};

// A table-level constraint (create_table.constraints) or the body of
// create_constraint.
struct ConstraintDef {
  std::string name;
  std::string type;  // unique | check | primary_key | foreign_key | exclude
  std::vector<std::string> columns;
  std::string check;
  bool nulls_not_distinct = false;
  bool deferrable = false;
  bool initially_deferred = false;
  bool no_inherit = false;
  std::optional<ForeignKeyRef> references;
  IndexParameters index_parameters;
  std::optional<ExcludeDef> exclude;
  Positions at;
};

struct CreateTable {
  std::string name;
  NullableString comment;
  std::vector<ColumnDef> columns;
  std::vector<ConstraintDef> constraints;
};

struct AddColumn {
  std::string table;
  ColumnDef column;
  std::string up;  // fills the new column from the old version's writes
};

struct AlterColumn {
  std::string table;
  std::string column;
  std::optional<std::string> name;  // rename
  std::optional<std::string> type;
  std::optional<bool> nullable;
  NullableString default_value;
  NullableString comment;
  std::optional<CheckDef> check;
  std::optional<UniqueDef> unique;
  std::optional<ForeignKeyRef> references;
  std::string up;
  std::string down;
};

struct DropColumn {
  std::string table;
  std::string column;
  std::string down;  // fills the dropped column from the new version's writes
};

struct RenameColumn {
  std::string table;
  std::string from;
  std::string to;
};

struct RenameTable {
  std::string from;
  std::string to;
};

struct DropTable {
  std::string name;
};

struct IndexColumn {
  std::string name;
  std::string opclass;                      // empty: the type's default operator class
  std::vector<std::string> opclass_params;  // "siglen=32": opclass (param, ...)
  std::string collate;
  std::string sort;   // ASC | DESC | empty
  std::string nulls;  // FIRST | LAST | empty
};

struct CreateIndex {
  std::string name;
  std::string table;
  std::vector<IndexColumn> columns;
  std::string method;  // btree | hash | gist | spgist | gin | brin; empty = btree
  std::string predicate;
  std::string storage_parameters;  // "fillfactor=70, ..."
  bool unique = false;
};

struct DropIndex {
  std::string name;
};

// create_constraint. `up` and `down` map each covered column to an expression.
struct CreateConstraint {
  std::string table;
  ConstraintDef constraint;
  std::map<std::string, std::string> up;
  std::map<std::string, std::string> down;
};

// drop_constraint (deprecated in pgroll: single column).
struct DropConstraint {
  std::string table;
  std::string column;
  std::string name;
  std::string up;
  std::string down;
};

struct DropMultiColumnConstraint {
  std::string table;
  std::string name;
  std::map<std::string, std::string> up;
  std::map<std::string, std::string> down;
};

struct RenameConstraint {
  std::string table;
  std::string from;
  std::string to;
};

struct SetReplicaIdentity {
  std::string table;
  std::string type;   // full | default | nothing | index (lower-cased)
  std::string index;  // with type index
};

struct RawSql {
  std::string up;
  std::string down;
  bool on_complete = false;
};

using OperationBody =
    std::variant<CreateTable, AddColumn, AlterColumn, DropColumn, RenameColumn, RenameTable,
                 DropTable, CreateIndex, DropIndex, CreateConstraint, DropConstraint,
                 DropMultiColumnConstraint, RenameConstraint, SetReplicaIdentity, RawSql>;

struct Operation {
  std::string kind;  // the key as written: "add_column", ...
  OperationBody body;
  Positions at;  // the operation's own position and its fields' positions
};

// A business rule the new version's data must keep, checked by `verify`:
// `check` is a boolean SQL expression over `table` as the new version sees it.
struct Invariant {
  std::string name;
  std::string table;
  std::string check;
  Positions at;
};

// How the backfill holds back for the database's sake; every field is unset
// unless given (on the command line or in the file's `backfill:` section).
struct ThrottleSettings {
  std::optional<Millis> max_replica_lag;  // 0 turns replica-lag throttling off
  std::vector<std::string> replicas;      // connection strings of replicas to ask directly
  std::optional<int> max_active_sessions;
  std::optional<int> max_lock_waiters;
  std::string throttle_query;  // returns one number; throttles while above throttle_above
  std::optional<double> throttle_above;
  std::optional<double> max_rows_per_second;
  std::string window;  // "HH:MM-HH:MM", local time
  std::optional<Millis> max_runtime;
};

// `hooks:`: who is told of each recorded event (core/hooks.h). Each call
// gets the event as JSON; a failing or slow hook never stops the migration.
struct HookSettings {
  std::string command;              // run with /bin/sh -c, the payload on stdin
  std::string url;                  // http://HOST[:PORT]/PATH, POSTed the payload
  std::optional<Millis> timeout;    // per call; default 5s
  std::vector<std::string> events;  // event kinds that fire; empty: every kind
};

// A query of the user's that must run (and, when it returns a value, return
// true) for the old application to count as still working after expand.
struct CompatibilityCheck {
  std::string name;
  std::string sql;
};

// The `governance:` section: which evidence the gates of each transition
// ask for. A file without the section keeps the gates tandem always had
// (backfill finished, parity, hidden readers); `present` turns on the
// section's safe defaults: every sign-off before switch and complete, a
// clean observation window and a rehearsed rollback before complete.
struct Governance {
  bool present = false;
  bool require_observation = false;
  std::optional<Millis> min_observation;  // the shortest clean window that counts
  bool require_rehearsal = false;
  std::optional<Millis> max_rollback_time;  // the rehearsed rollback must be faster
  bool require_approval = false;
  // Sign-off categories (gates/types.h) each transition needs, by the
  // command that makes it: "switch", "complete".
  std::map<std::string, std::vector<std::string>> signoffs;
  std::vector<CompatibilityCheck> compatibility;
};

// The `owners:` section: who is responsible, and where people hear of it.
struct Owners {
  std::string migration_lead;
  std::string application_owner;
  std::string data_owner;
  std::string sre_owner;
  std::string channel;
  std::string communication;  // the communication plan, free text
};

// The `schedule:` section: when high-risk transitions may happen (UTC).
struct Schedule {
  // Weekly windows, "Mon-Fri 09:00-17:00"; none: any time outside freezes.
  std::vector<std::string> windows;
  // Freeze periods, "2026-12-20..2027-01-04" (whole days, inclusive).
  std::vector<std::string> freezes;
  // A start on a table with at least this many rows counts as high-risk.
  long long large_table_rows = 1000000;
};

// One user probe of the observation window (the `switch:` section's
// `probes`): exactly one of `sql` (a query returning one number), `http` (a
// URL on the local network whose body is one number) or `command` (healthy
// while it exits 0). A number breaches above `max` or below `min`.
struct ProbeSettings {
  std::string name;
  std::string sql;
  std::string http;
  std::string command;
  std::optional<double> max;
  std::optional<double> min;
};

// The read switch's window and ramp (the file's `switch:` section); every
// field is unset unless given. The engine signals' allowances are over the
// baseline tandem measures just before the switch.
struct SwitchSettings {
  bool given = false;  // the file has a `switch:` section
  std::optional<Millis> observe;
  std::optional<Millis> sample_every;
  std::optional<double> max_rollback_rate;  // rolled-back transactions per second
  std::optional<double> max_deadlocks;      // deadlocks during the window
  std::optional<double> max_lock_waits;     // sessions waiting for a lock at once
  std::optional<double> max_latency_ratio;  // window mean / baseline mean
  std::vector<ProbeSettings> probes;
  std::vector<int> ramp;  // basis points, rising, the last 10000
  std::optional<Millis> step_every;
  std::string flag;  // the flag the ramp moves; default read_new
};

// tandem's own settings (top-level sections pgroll ignores). The same
// sections make up the shared config file (tandem.yaml), whose values the
// migration file's override (core/run_settings.h: flag > file > config).
struct Settings {
  std::optional<int> backfill_batch_size;
  std::optional<Millis> backfill_target_chunk_time;
  std::optional<int> backfill_concurrency;
  std::optional<long long> backfill_vacuum_every;  // rows; 0 turns vacuuming off
  std::optional<Millis> backfill_reconnect_window;
  ThrottleSettings throttle;
  std::optional<double> parity_threshold;  // percent of rows that must match; default 100
  std::optional<double> drift_threshold;   // percentage points of null/default drift allowed
  std::vector<Invariant> invariants;
  SwitchSettings switch_to_new;
  // `lint: {disable: [TD301, ...]}`: rule codes `tandem lint` skips for this
  // file (checked by lint, which knows the codes).
  std::vector<std::string> lint_disable;
  Positions lint_at;
  // `lock:`: how each DDL step waits for its lock.
  std::optional<Millis> lock_timeout;
  std::optional<Millis> lock_deadline;
  std::optional<Millis> lock_retry_backoff;  // base of the jittered exponential backoff
  std::optional<int> lock_retry_attempts;    // 0: retry until the deadline
  // `metrics:`
  std::optional<std::string> metrics_prefix;
  // `alerts:`: thresholds, read and checked; shown by `tandem config`.
  std::optional<double> alert_error_rate;  // percent of failed statements
  std::optional<Millis> alert_replica_lag;
  // `run:`
  std::optional<bool> dry_run;           // every changing command only prints
  std::optional<bool> require_approval;  // a recorded approval before start/switch/complete
  // The whole migration's time limit from its recorded start: a running
  // backfill, verification, observation window or chunked rebuild stops
  // resumably once it has passed (the backfill's own limit is
  // throttle.max_runtime).
  std::optional<Millis> run_max_runtime;
  HookSettings hooks;
  Governance governance;
  Owners owners;
  Schedule schedule;
};

struct Migration {
  std::string file;            // path as given, for error messages
  std::string name;            // `name`, else the file name without extension
  std::string version_schema;  // `version_schema`, else the name
  std::string content;         // the file's bytes, kept for the state store
  std::string checksum;        // SHA-256 hex of content
  // SHA-256 hex of the document as parsed: every key and value, neither
  // comments nor layout (plan_json.h: BoundChecksum).
  std::string document_checksum;
  std::vector<Operation> operations;
  Settings settings;
};

}  // namespace tandem::plan
