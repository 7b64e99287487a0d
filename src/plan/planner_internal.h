// The planner's working state, shared by the per-operation files
// (ops_*.cc). Not part of the plan module's API.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lint/pg_parse.h"
#include "plan/planner.h"
#include "plan/planner_base.h"
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
  Status CreateTableOp(const Operation& op, const CreateTable& body);
  Status AddColumnOp(const Operation& op, const AddColumn& body);
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
  // `dropped_constraint` is the one the operation removes on purpose.
  Result<std::string> DuplicateColumn(const Operation& op, VirtualTable& table,
                                      VirtualColumn& column, const std::string& type,
                                      const std::string& up, const std::string& down,
                                      const std::string& dropped_constraint = "");
  void AddNotNullCheck(const VirtualTable& table, const std::string& physical_column);
  // Warns about indexes and constraints on `column` that a shadow copy does
  // not carry over, so complete would drop them with the original.
  void WarnAboutDependents(const CatalogTable& table, const std::string& column,
                           const std::string& dropped_constraint);
  // Builds unique index `name` over `columns_sql` ("(a, b)" plus any tail)
  // concurrently during expand; `complete` attaches it as a UNIQUE (or
  // PRIMARY KEY) constraint of the same name.
  Status AddUniqueIndex(const Operation& op, const std::string& field, const VirtualTable& table,
                        const std::string& name, const std::string& columns_sql, bool primary_key);
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

  // --- finishing (planner_finish.cc) ---
  void FinishTriggers();
  void FinishViews();
  void FinishComplete();
  void FinishRollback();
  // Queues `undo` for the rollback, tied to the expand step added last.
  void AddRollbackStep(Step undo);
  int LastExpandStep() const { return static_cast<int>(plan_.expand.size()) - 1; }
  std::vector<std::string> ViewStatements() const;
  std::vector<std::string> ContractStatements();
  // Final (post-complete) names of a physical table and column.
  std::string FinalTableName(const std::string& physical) const;
  std::string FinalColumnName(const std::string& physical_table,
                              const std::string& physical_column) const;
  std::string FinalQualified(const std::string& physical_table) const;

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
  std::set<std::string> duplicated_columns_;  // "table.column" of originals already shadowed
};

}  // namespace tandem::plan
