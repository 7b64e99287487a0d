#include "lint/rules.h"

#include "common/strings.h"

namespace tandem::lint {
namespace {

constexpr Severity kError = Severity::kError;
constexpr Severity kWarning = Severity::kWarning;
constexpr Severity kInfo = Severity::kInfo;

// {code, name, severity, on by default, postgres, sqlite, needs --url, summary, doc}
const std::vector<Rule> kRules = {
    {kRuleDropsObject, "drops-object", kError, true, true, true, false,
     "drops a table, column or other object",
     "DROP TABLE, ALTER TABLE ... DROP COLUMN, DROP SCHEMA and other DROPs destroy what no "
     "rollback brings back, and break every reader still using the object.\n"
     "Do: stop every reader first (`tandem readers` lists those it can see), keep a backup, and "
     "drop in a later release than the one that stopped using it.\n"
     "In a tandem/pgroll file, drop_column and drop_table keep the data until `complete`; "
     "`rollback` restores everything before that. `plan` and `start` refuse raw SQL that drops "
     "unless --allow-irreversible."},
    {kRuleRemovesRows, "removes-rows", kError, true, true, true, false,
     "TRUNCATE or DELETE removes rows",
     "TRUNCATE and DELETE remove rows that no rollback brings back; TRUNCATE also takes an "
     "ACCESS EXCLUSIVE lock.\n"
     "Do: move data removal out of the schema migration, into a job you can run, check and "
     "repeat in small batches."},
    {kRuleOverwritesRows, "overwrites-rows", kError, true, true, true, false,
     "UPDATE overwrites rows",
     "An UPDATE in a migration overwrites values that no rollback brings back, and on a large "
     "table holds row locks and writes a new version of every row in one transaction.\n"
     "Do: in a tandem file, let `up`/`down` and the chunked backfill fill new columns; "
     "otherwise update in small batches outside the migration."},
    {kRuleNoWhere, "no-where-clause", kError, true, true, true, false,
     "DELETE or UPDATE without WHERE touches every row",
     "A DELETE or UPDATE without WHERE changes every row of the table in one transaction: a "
     "long lock, a huge WAL burst, and on a mistake every row lost.\n"
     "Do: add the WHERE clause you mean; for all rows, batch by key ranges outside the migration."},
    {kRuleTruncateCascade, "truncate-cascade", kError, true, true, false, false,
     "TRUNCATE ... CASCADE empties other tables too",
     "TRUNCATE ... CASCADE also empties every table with a foreign key to the truncated one, "
     "and those tables' dependents in turn: more than the statement names.\n"
     "Do: name every table to empty, without CASCADE."},
    {kRuleColumnNumbers, "column-numbers", kError, true, true, false, true,
     "the table would pass PostgreSQL's 1600 column numbers",
     "A PostgreSQL table has at most 1600 attribute numbers, and dropped columns keep theirs "
     "until the table is rewritten. Adding a column past that fails.\n"
     "Checked with --url: the numbers the table has used so far plus those the migration adds.\n"
     "Do: rewrite the table (VACUUM FULL, pg_repack) to free the numbers of dropped columns, or "
     "add the columns to a new table."},
    {kRuleLongRewrite, "long-rewrite", kError, true, true, false, true,
     "rewrites or scans a large table under ACCESS EXCLUSIVE",
     "A statement that rewrites or scans the whole table while holding ACCESS EXCLUSIVE "
     "(a type change, a volatile default, SET NOT NULL, adding a validated constraint...) "
     "blocks every read and write for as long as it takes, which grows with the table.\n"
     "Checked with --url: the table's size is read from the catalog and compared with "
     "--large-table (default 16MB).\n"
     "Do: write it as a tandem migration (add a column, backfill, switch), which never holds "
     "such a lock for longer than a catalog change."},
    {kRuleReadByView, "read-by-view", kError, true, true, false, true,
     "a view reads the column or table the statement drops, renames or retypes",
     "A view (or materialized view) that reads a column makes DROP COLUMN fail (or, with "
     "CASCADE, drops the view), keeps reading the old column through a rename, and blocks a "
     "type change.\n"
     "Checked with --url, from the catalog's dependencies.\n"
     "Do: change or drop the view first; `tandem readers` lists every reader of a migration in "
     "progress."},
    {kRuleIdentifierTooLong, "identifier-too-long", kError, true, true, false, false,
     "an identifier longer than 63 bytes is silently truncated",
     "PostgreSQL truncates identifiers to 63 bytes without an error, so the object gets another "
     "name than the one written, and two long names may become the same.\n"
     "Do: use a name of at most 63 bytes."},
    {kRuleNotNullWithoutDefault, "not-null-without-default", kError, true, true, true, false,
     "adds a NOT NULL column without a default",
     "ALTER TABLE ... ADD COLUMN ... NOT NULL without a DEFAULT fails on a table that has rows, "
     "and breaks every INSERT of the running application, which does not know the column.\n"
     "On SQLite, ADD COLUMN refuses a NOT NULL column without a non-NULL default.\n"
     "Do: add the column nullable (or with a default), backfill it, then set NOT NULL through a "
     "validated CHECK. A tandem/pgroll add_column with `nullable: false` and `up` does exactly "
     "this and is not flagged."},
    {kRuleVolatileDefault, "volatile-default", kError, true, true, true, false,
     "adds a column whose default is volatile, or a stored generated column",
     "ADD COLUMN with a volatile default (random(), gen_random_uuid(), clock_timestamp(), "
     "nextval() of a serial...) or a STORED generated column rewrites the table under ACCESS "
     "EXCLUSIVE. A constant default is metadata-only since PostgreSQL 11.\n"
     "On SQLite, ADD COLUMN refuses a default that is not constant.\n"
     "Do: add the column without the default, set the default, then backfill in batches. A "
     "tandem/pgroll add_column with any default is not flagged: tandem adds it without a "
     "rewrite and backfills."},
    {kRuleTypeChange, "column-type-change", kError, true, true, false, false,
     "changes a column's type",
     "ALTER COLUMN ... TYPE rewrites the table and its indexes under ACCESS EXCLUSIVE unless the "
     "types are binary-coercible (e.g. varchar(n) to text), and breaks the running application "
     "if it reads or writes the old type.\n"
     "Do: a tandem/pgroll alter_column with `type`, `up` and `down`: a new column kept in sync, "
     "backfilled, switched; it is not flagged."},
    {kRuleIndexNotConcurrent, "index-without-concurrently", kError, true, true, false, false,
     "CREATE INDEX without CONCURRENTLY blocks writes",
     "CREATE INDEX takes a SHARE lock: every INSERT, UPDATE and DELETE on the table waits "
     "until the index is built.\n"
     "Do: CREATE INDEX CONCURRENTLY, outside a transaction (a failed build leaves an INVALID "
     "index to drop before retrying). An index on a table created in the same file is not "
     "flagged. tandem/pgroll create_index builds concurrently and is not flagged."},
    {kRuleDropIndexNotConcurrent, "drop-index-without-concurrently", kWarning, true, true, false,
     false, "DROP INDEX without CONCURRENTLY blocks reads and writes",
     "DROP INDEX takes ACCESS EXCLUSIVE on the index's table, and so waits for and then blocks "
     "every query on it.\n"
     "Do: DROP INDEX CONCURRENTLY, outside a transaction."},
    {kRuleConstraintNotValid, "constraint-without-not-valid", kError, true, true, false, false,
     "adds a CHECK or FOREIGN KEY constraint that is validated at once",
     "ADD CONSTRAINT ... CHECK or FOREIGN KEY without NOT VALID scans the whole table while "
     "holding its lock (ACCESS EXCLUSIVE for a check; SHARE ROW EXCLUSIVE on both tables for a "
     "foreign key), blocking writes for the whole scan.\n"
     "Do: ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later transaction (it "
     "takes SHARE UPDATE EXCLUSIVE, which lets reads and writes through). tandem/pgroll "
     "constraints are added NOT VALID and validated apart, and are not flagged."},
    {kRuleUniqueWithoutIndex, "unique-without-index", kError, true, true, false, false,
     "adds a UNIQUE or PRIMARY KEY constraint that builds its index under the lock",
     "ADD CONSTRAINT ... UNIQUE or PRIMARY KEY builds the index while holding ACCESS EXCLUSIVE "
     "on the table: no reads, no writes until it is done.\n"
     "Do: CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX (or "
     "PRIMARY KEY USING INDEX), which is a catalog change."},
    {kRuleValidatedInSameStep, "validated-in-same-step", kError, true, true, false, false,
     "validates a constraint in the transaction that added it NOT VALID",
     "NOT VALID only helps when VALIDATE CONSTRAINT runs in a later transaction: in the same "
     "one, the adding statement's stronger lock (ACCESS EXCLUSIVE or SHARE ROW EXCLUSIVE) is "
     "still held during the whole validating scan.\n"
     "Do: commit between ADD ... NOT VALID and VALIDATE CONSTRAINT (a separate migration file "
     "when the framework wraps each file in a transaction)."},
    {kRuleSetNotNull, "set-not-null-without-check", kError, true, true, false, false,
     "SET NOT NULL without a validated CHECK (col IS NOT NULL) scans under ACCESS EXCLUSIVE",
     "ALTER COLUMN ... SET NOT NULL scans the whole table under ACCESS EXCLUSIVE, unless a "
     "validated CHECK (col IS NOT NULL) already proves it (PostgreSQL 12+).\n"
     "Do: ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (a later "
     "transaction); SET NOT NULL; DROP CONSTRAINT c. tandem/pgroll alter_column with "
     "`nullable: false` does exactly this and is not flagged."},
    {kRuleTimeouts, "missing-timeouts", kWarning, true, true, false, false,
     "takes a lock with no lock_timeout or statement_timeout set",
     "A DDL statement waiting for its lock blocks every later query on the table, reads "
     "included, for as long as it waits: without lock_timeout that is unbounded. "
     "statement_timeout bounds a statement that holds the lock too long.\n"
     "Do: SET lock_timeout = '1s'; SET statement_timeout = '5s'; before the first statement "
     "that locks, and retry on timeout. In a tandem/pgroll file tandem sets lock_timeout on "
     "every step and retries; raw `sql` there is not flagged."},
    {kRuleConcurrentInTransaction, "concurrently-in-transaction", kError, true, true, false, false,
     "CONCURRENTLY inside a transaction fails",
     "CREATE INDEX CONCURRENTLY, DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and DETACH "
     "PARTITION CONCURRENTLY cannot run inside a transaction block: the statement fails. Raw "
     "`sql` of a tandem/pgroll file runs in a transaction, as do files between BEGIN and COMMIT "
     "and migrations the framework wraps (--assume-in-transaction).\n"
     "Do: a tandem/pgroll create_index or drop_index (run concurrently, outside a transaction), "
     "or a migration file of its own without a transaction (dbmate: `-- migrate:up "
     "transaction:false`)."},
    {kRuleReindexNotConcurrent, "reindex-without-concurrently", kWarning, true, true, false, false,
     "REINDEX without CONCURRENTLY blocks writes",
     "REINDEX locks out writes on the table (and reads that would use the index) until it is "
     "done.\nDo: REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction."},
    {kRuleDetachNotConcurrent, "detach-partition-without-concurrently", kWarning, true, true, false,
     false, "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent",
     "ALTER TABLE ... DETACH PARTITION takes ACCESS EXCLUSIVE on the partitioned table.\n"
     "Do: DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside a transaction."},
    {kRuleRewriteCommand, "full-rewrite-command", kWarning, true, true, false, false,
     "VACUUM FULL or CLUSTER rewrites the table under ACCESS EXCLUSIVE",
     "VACUUM FULL and CLUSTER rewrite the whole table while holding ACCESS EXCLUSIVE.\n"
     "Do: pg_repack or pg_squeeze, which rewrite online, or plain VACUUM."},
    {kRuleDomainConstraint, "domain-constraint", kWarning, true, true, false, false,
     "a domain with a CHECK constraint",
     "A CHECK on a domain is checked against every column of the domain in every table when "
     "it is added (ALTER DOMAIN ... ADD CONSTRAINT), and cannot be added NOT VALID per table; "
     "changing it later is the same long, locking operation.\n"
     "Do: put the CHECK on the table's column, where it can be added NOT VALID."},
    {kRuleRenameColumn, "rename-column", kError, true, true, true, false,
     "renames a column the running application uses",
     "Renaming a column breaks every query of the running application that names it, from the "
     "moment the statement commits until every instance runs the new code.\n"
     "Do: a tandem/pgroll rename_column (or alter_column with `name`): both versions keep "
     "working side by side through their version schemas; it is not flagged."},
    {kRuleRenameObject, "rename-object", kError, true, true, true, false,
     "renames a table or another object the running application uses",
     "ALTER TABLE ... RENAME TO (and ALTER VIEW, SEQUENCE, TYPE ... RENAME) breaks every query "
     "of the running application that names the object.\n"
     "Do: a tandem/pgroll rename_table: both versions keep working; it is not flagged."},
    {kRuleDropNotNull, "drop-not-null", kWarning, true, true, false, false,
     "DROP NOT NULL lets NULLs reach readers that do not expect them",
     "After DROP NOT NULL, the new version may write NULLs that the running application, "
     "which assumes the column is always set, cannot handle.\n"
     "Do: make sure every reader handles NULL first; a tandem/pgroll alter_column with "
     "`nullable: true` and a `down` gives the old version a value."},
    {kRulePreferBigint, "prefer-bigint", kWarning, true, true, false, false,
     "a 32- or 16-bit integer column (integer, smallint, serial)",
     "An integer key runs out at 2,147,483,647 (smallint at 32,767), and widening it later is "
     "a type change of the table and of every column referencing it.\n"
     "Do: bigint (and bigint identity)."},
    {kRulePreferIdentity, "prefer-identity", kWarning, true, true, false, false,
     "a serial column instead of an identity column",
     "serial, bigserial and smallserial create a sequence owned separately from the column, "
     "with its own grants and dump order.\n"
     "Do: bigint GENERATED BY DEFAULT AS IDENTITY."},
    {kRulePreferText, "prefer-text", kWarning, true, true, false, false,
     "varchar(n) instead of text",
     "Raising a varchar(n)'s limit is cheap, but lowering it rewrites the table under ACCESS "
     "EXCLUSIVE; the limit is better a CHECK constraint, which can be changed NOT VALID.\n"
     "Do: text, with CHECK (char_length(col) <= n) if a limit matters."},
    {kRuleNoChar, "no-char", kWarning, true, true, false, false, "char(n) pads values with blanks",
     "char(n) pads with blanks, compares ignoring them, and is no faster than text.\n"
     "Do: text (with a CHECK for the length if it matters)."},
    {kRulePreferTimestamptz, "prefer-timestamptz", kWarning, true, true, false, false,
     "timestamp without time zone",
     "timestamp without time zone stores a wall-clock time with no zone: values written from "
     "sessions in different zones cannot be compared, and converting later rewrites the table.\n"
     "Do: timestamptz."},
    {kRuleRobustStatements, "robust-statements", kInfo, false, true, true, false,
     "CREATE without IF NOT EXISTS or DROP without IF EXISTS outside a transaction",
     "A migration that is not run in a transaction and fails part-way must be re-run; "
     "statements that already ran then fail unless they are written IF NOT EXISTS / IF "
     "EXISTS.\nOff by default: --enable TD506."},
    {kRuleTableSchema, "table-schema", kInfo, false, true, false, false,
     "a table named without its schema",
     "An unqualified name resolves through the search_path of whoever runs the migration.\n"
     "Off by default: --enable TD507."},
    {kRuleTransactionNesting, "transaction-nesting", kError, true, true, true, false,
     "BEGIN or COMMIT inside a transaction",
     "BEGIN inside a transaction only warns and COMMIT ends the outer one early, so the rest of "
     "the migration runs outside the transaction the tool (or an earlier BEGIN) opened. Raw "
     "`sql` of a tandem/pgroll file always runs in tandem's own transaction.\n"
     "Do: remove the BEGIN/COMMIT, or let the tool run the file without its transaction."},
    {kRuleUncommitted, "uncommitted-transaction", kError, true, true, true, false,
     "BEGIN without a matching COMMIT",
     "A transaction left open at the end of a migration is rolled back, or held open by the "
     "tool with its locks.\nDo: end it with COMMIT."},
    {kRuleSqliteAlter, "sqlite-alter", kError, true, false, true, false,
     "an ALTER TABLE form SQLite does not have",
     "SQLite's ALTER TABLE can only rename a table or column, add a column and drop a column: "
     "ALTER COLUMN (type, NOT NULL, default), ADD or DROP CONSTRAINT fail.\n"
     "Do: a tandem migration (alter_column, create_constraint...), which rebuilds the table "
     "safely on SQLite."},
};

}  // namespace

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

bool ParseSeverity(std::string_view text, Severity* severity) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kError}) {
    if (ToLower(text) == SeverityName(s)) {
      *severity = s;
      return true;
    }
  }
  return false;
}

const std::vector<Rule>& AllRules() { return kRules; }

const Rule* FindRule(std::string_view code) {
  std::string upper(code);
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  for (const Rule& rule : kRules) {
    if (upper == rule.code) return &rule;
  }
  return nullptr;
}

}  // namespace tandem::lint
