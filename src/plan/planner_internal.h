// The planner's working state, shared by the per-operation files
// (ops_*.cc). Not part of the plan module's API.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lint/pg_parse.h"
#include "lint/raw_sql.h"
#include "plan/planner.h"
#include "plan/planner_base.h"
#include "plan/triggers.h"
#include "plan/virtual_schema.h"

namespace tandem::plan {

// A physical column that `complete` must make NOT NULL through the
// validated CHECK added during expand.
struct PendingNotNull {
  std::string table;   // physical
  std::string column;  // physical
  std::string check_name;
};

// A unique index built during expand that `complete` turns into a
// constraint (UNIQUE or PRIMARY KEY ... USING INDEX).
struct PendingIndexConstraint {
  std::string table;  // physical
  std::string index;
  std::string constraint;
  bool primary_key = false;
};

// A column default the new version gets before `complete` makes it physical
// (alter_column `default` without a shadow column): set on the view.
struct PendingDefault {
  std::string table;   // physical
  std::string column;  // physical
  NullableString value;
};

// One view of the live schema: `name` reads `columns` of `source` (a
// qualified table or view), nothing else, so PostgreSQL keeps it
// automatically updatable, and the source's column defaults apply.
struct LiveView {
  std::string name;
  std::string source;
  std::vector<std::string> columns;
};

// A statement of the contract switch that needs the final names of tables
// and columns, known only when every operation is planned.
using DeferredSql = std::function<std::string()>;

// A step of DDL on one table, run in its own transaction.
Step TableStep(std::string description, std::string sql, const std::string& table, LockLevel lock);

class Planner : private PlannerBase {
 public:
  Planner(const Migration& migration, const Catalog& catalog, const PlanOptions& options);
  Result<Plan> Run();

 private:
  Status PlanOperation(const Operation& op);
  Status RefuseBrokenConcurrentIndexBuilds() const;
  Status CheckAttributeNumbers();
  Status CreateTableOp(const Operation& op, const CreateTable& body);
  Status AddColumnOp(const Operation& op, const AddColumn& body);
  // A serial column's sequence, owned by `physical` (a shadow column of
  // `integer_type`), as its default; with `fill_existing_rows` the backfill
  // numbers the existing rows from it.
  Status AddSerialSequence(const Operation& op, const VirtualTable& table,
                           const std::string& column, const std::string& physical,
                           const std::string& integer_type, bool fill_existing_rows);
  Status AlterColumnOp(const Operation& op, const AlterColumn& body);
  Status DropColumnOp(const Operation& op, const DropColumn& body);
  Status RenameColumnOp(const Operation& op, const RenameColumn& body);
  Status RenameTableOp(const Operation& op, const RenameTable& body);
  Status DropTableOp(const Operation& op, const DropTable& body);
  Status CreateIndexOp(const Operation& op, const CreateIndex& body);
  Status DropIndexOp(const Operation& op, const DropIndex& body);
  Status CreateConstraintOp(const Operation& op, const CreateConstraint& body);
  Status DropConstraintOp(const Operation& op, const DropConstraint& body);
  Status DropMultiColumnConstraintOp(const Operation& op, const DropMultiColumnConstraint& body);
  Status RenameConstraintOp(const Operation& op, const RenameConstraint& body);
  Status SetReplicaIdentityOp(const Operation& op, const SetReplicaIdentity& body);
  Status RawSqlOp(const Operation& op, const RawSql& body);

  // --- raw sql (ops_raw_sql.cc) ---
  // True for a statement about a table of the migrated schema.
  bool InMigratedSchema(const lint::RawStatement& statement) const;
  void AddRawSqlRelations(const std::vector<lint::RawStatement>& statements);
  // Records the statements that rollback cannot undo (plan_.irreversible).
  void FlagIrreversible(const Operation& op, const std::vector<lint::RawStatement>& statements);

  // --- shared helpers (planner_helpers.cc) ---
  // "FILE:LINE:COL: operations[i].kind.field", for messages.
  Result<VirtualTable*> RequireTable(const Operation& op, const std::string& field,
                                     const std::string& table);
  Status RequireNewRelationName(const Operation& op, const std::string& field,
                                const std::string& name);
  Status RequireNewColumnName(const Operation& op, const std::string& field,
                              const VirtualTable& table, const std::string& column);
  // The physical table's original columns, as the old version names them.
  Result<std::string> UpExpression(const Operation& op, const std::string& field,
                                   const VirtualTable& table,
                                   const std::string& expression) override;
  // Columns as the new version names them.
  Result<std::string> DownExpression(const Operation& op, const std::string& field,
                                     const VirtualTable& table,
                                     const std::string& expression) override;
  // Rewrites an expression over new-version names to the physical columns
  // (for CHECK constraints and index predicates on duplicated columns).
  Result<std::string> PhysicalExpression(const Operation& op, const std::string& field,
                                         const VirtualTable& table, const std::string& expression);
  // Records a query that plans `expression` against the live table, with
  // column references resolved by `resolve` (physical columns, or typed
  // NULLs for columns that expand has not created yet).
  void AddExpressionCheck(const Operation& op, const std::string& field, const VirtualTable& table,
                          const std::string& expression, const lint::ColumnResolver& resolve);
  TableSync& SyncFor(const VirtualTable& table) override;
  std::vector<std::string> WalkKey(const VirtualTable& table) const;
  // Adds `column` as a new physical column `_tandem_new_<name>` of `table`
  // (nullable, no default) and returns its physical name.
  Result<std::string> AddShadowColumn(const Operation& op, VirtualTable& table,
                                      const std::string& name, const std::string& type);
  // Builds the shadow copy of an existing column for alter_column,
  // create_constraint and drop constraint: a new physical column that the
  // new version sees under the old name, filled by `up`, with `down` filling
  // the original for writes through the new version.
  // `dropped_constraint` is the one the operation removes on purpose;
  // without `copy_default` the operation gives the copy its own default.
  Result<std::string> DuplicateColumn(const Operation& op, VirtualTable& table,
                                      VirtualColumn& column, const std::string& type,
                                      const std::string& up, const std::string& down,
                                      const std::string& dropped_constraint = "",
                                      bool copy_default = true);
  void CopyDefault(const VirtualTable& table, const CatalogColumn& original,
                   const std::string& shadow, const std::string& type);
  void AddNotNullCheck(const VirtualTable& table, const std::string& physical_column);
  // Builds unique index `name` over `columns_sql` ("(a, b)" plus any tail)
  // concurrently during expand; `complete` attaches it as a UNIQUE (or
  // PRIMARY KEY) constraint named `constraint` (by default `name`).
  Status AddUniqueIndex(const Operation& op, const std::string& field, const VirtualTable& table,
                        const std::string& name, const std::string& columns_sql, bool primary_key,
                        const std::string& constraint = "");
  // Builds index `name` as `definition` says (pg_get_indexdef of another
  // index) on the columns `rename` gives, concurrently during expand.
  void AddIndexCopy(const VirtualTable& table, const std::string& name,
                    const std::string& definition, const lint::ColumnResolver& rename);
  // ADD CONSTRAINT `name` `definition` NOT VALID during expand (no scan, a
  // brief lock), VALIDATE CONSTRAINT during complete (a scan that blocks no
  // writes).
  void AddNotValidConstraint(const VirtualTable& table, const std::string& name,
                             const std::string& definition, LockLevel lock,
                             std::vector<std::string> tables);
  // A NOT VALID foreign key from `physical_column` of `table`.
  Status AddForeignKey(const Operation& op, const VirtualTable& table,
                       const std::string& physical_column, const std::string& column_name,
                       const ForeignKeyRef& ref);
  std::string Qualified(const VirtualTable& table) const;
  std::string Qualified(const std::string& physical_table) const;
  std::string ForeignKeyClause(const ForeignKeyRef& ref, const Operation& op, Status& error);

  // --- carrying constraints over to shadow columns (carry_over.cc) ---
  // Recreates on the shadow columns the constraints, indexes and comments of
  // the columns they replace (all but those the migration drops), so the
  // new version is held to them during the migration and they keep their
  // names after complete.
  void FinishCarryOver();
  Status CarryConstraintOver(const VirtualTable& table, const CatalogTable& original,
                             const CatalogConstraint& constraint,
                             const lint::ColumnResolver& rename);
  void CarryIndexOver(const VirtualTable& table, const CatalogIndex& index,
                      const lint::ColumnResolver& rename);
  // At complete, once the original is gone: the copy takes its name.
  void RenameCopyAtComplete(const VirtualTable& table, const std::string& copy,
                            const std::string& name, bool is_index, bool may_be_absent = false);
  // Whether a shadow column of `table` that replaces one of `columns` has
  // another type than the original.
  bool TypeChanged(const VirtualTable& table, const CatalogTable& original,
                   const std::vector<std::string>& columns) const;

  // --- the live schema and the read switch (live_schema.cc) ---
  // The expand step that creates the live schema over the old version, and
  // the plan's switch and switch-back steps.
  void FinishLiveSchema();
  // The live views of each shape: the old version (the tables as they are
  // now), the new version (the version schema's views), and the final
  // shape after complete (the tables as complete leaves them).
  std::vector<LiveView> OldLiveViews() const;
  std::vector<LiveView> NewLiveViews() const;
  std::vector<LiveView> FinalLiveViews() const;
  // The columns of `table` after complete, in the order PostgreSQL keeps
  // them (the original columns, then the added ones as expand added them),
  // as the next migration's catalog lists them.
  std::vector<std::string> FinalColumnOrder(const VirtualTable& table) const;
  // DROP VIEW IF EXISTS of every name the live schema may hold during the
  // migration: the contract drops them before it drops what they read.
  std::vector<std::string> DropLiveViewsSql() const;
  // Points the live schema at `views`, in one step (one transaction).
  Step PointLiveStep(const std::string& description, const std::vector<LiveView>& views) const;
  // The dual-write functions again, counting the live schema as the new
  // version or not: part of the switch's transaction.
  std::vector<std::string> CountLiveAsNewSql(bool live_is_new) const;
  // Rollback's last step where start created the live schema.
  Step DropLiveSchemaStep() const;
  // Whether the live schema existed before this migration (an earlier
  // one's): then rollback keeps it, over the old version.
  bool LiveSchemaExisted() const;

  // --- finishing (planner_finish.cc) ---
  void FinishTriggers();
  void FinishViews();
  void FinishComplete();
  void FinishRollback();
  std::string ViewSql(const View& view, bool replace) const;
  // Queues `undo` for the rollback, tied to the expand step added last.
  void AddRollbackStep(Step undo);
  int LastExpandStep() const { return static_cast<int>(plan_.expand.size()) - 1; }
  std::vector<std::string> ViewStatements() const;
  Step OnCompleteViewsStep();
  std::vector<std::string> ContractStatements();
  // Final (post-complete) names of a physical table and column.
  std::string FinalTableName(const std::string& physical) const;
  std::string FinalColumnName(const std::string& physical_table,
                              const std::string& physical_column) const;
  std::string FinalQualified(const std::string& physical_table) const;

  // expand, once the dual-write triggers are installed: a NOT VALID
  // constraint still holds every new row, and until the trigger fills the
  // new columns an old version's insert would leave them NULL (and break a
  // NOT NULL stand-in check).
  std::vector<Step> constraint_steps_;
  std::vector<Step> validate_steps_;     // complete, before the switch
  std::vector<DeferredSql> switch_sql_;  // complete, inside the switch, after renames
  std::vector<PendingDefault> pending_defaults_;
  std::vector<Step> after_switch_steps_;  // complete, after the switch
  std::vector<Step> rollback_steps_;      // in the order they were added; reversed at the end
  std::vector<PendingNotNull> not_nulls_;
  std::vector<PendingIndexConstraint> index_constraints_;
  std::map<std::string, TableSync> syncs_;  // by physical table
  std::set<std::string> new_relation_names_;
  std::set<std::string> created_tables_;  // physical
  // physical table -> column -> the expand step that adds it
  std::map<std::string, std::map<std::string, int>> added_columns_;
  std::map<std::string, int> trigger_steps_;  // physical table -> the step installing its trigger
  int version_schema_step_ = -1;              // the step creating the version schema
  int live_schema_step_ = -1;  // the step pointing the live schema at the old version
  // physical table -> the columns its dual-write trigger refuses NULL in
  std::map<std::string, std::vector<RequiredColumn>> required_columns_;
  // Tables and columns the raw SQL adds: at complete (on_complete), and
  // how many columns per physical table (both).
  std::vector<lint::RawStatement> on_complete_relations_;
  std::map<std::string, int> raw_sql_columns_;
  // Tables the raw SQL dropped during expand: the old version has them no more.
  std::set<std::string> raw_sql_dropped_tables_;

  // Columns the raw SQL dropped itself: `complete` has nothing to drop.
  std::map<std::string, std::set<std::string>> raw_sql_dropped_columns_;
  std::set<std::string> duplicated_columns_;  // "table.column" of originals already shadowed
  // physical table -> original column -> the shadow column that replaces it
  std::map<std::string, std::map<std::string, std::string>> shadows_;
  // physical table -> constraints and indexes the migration drops on purpose
  std::map<std::string, std::set<std::string>> dropped_on_purpose_;
};

}  // namespace tandem::plan
