// The SQLite planner's working state, shared by its files. Not an API.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lint/pg_parse.h"
#include "plan/planner_base.h"
#include "plan/sqlite/sqlite_planner.h"
#include "plan/sqlite/sqlite_table_sql.h"
#include "plan/virtual_schema.h"

namespace tandem::plan::sqlite {

// What the rebuilt table's column carries beyond its name and type.
struct ColumnShape {
  std::string type;
  bool not_null = false;
  NullableString default_value;
  std::string check;       // expression over final names, "" for none
  std::string references;  // REFERENCES clause, "" for none
  bool unique = false;
  std::string collate;  // the replaced column's collation, "" for none
};

// An index this migration creates: built during expand on the physical
// columns, rebuilt on the final ones when complete rebuilds its table.
struct PlannedIndex {
  std::string table;  // physical
  std::string name;
  bool unique = false;
  std::string sql;  // CREATE INDEX as built during expand, on the physical columns
};

// A CHECK or FOREIGN KEY that create_constraint adds. SQLite can add
// neither to an existing table, so during expand the new version's view
// triggers refuse a write that breaks it, and the rebuild at complete
// writes it into the table.
struct PlannedConstraint {
  std::string table;  // physical
  std::string name;
  // "CHECK (...)" or "FOREIGN KEY (...) REFERENCES ...", reading this
  // table's columns as NEW."physical" (renamed to the final names at
  // complete).
  std::string definition;
  std::string violation;  // SQL over NEW."physical": true for a row that breaks it
  std::string message;    // what a refused write is told, in SQLite's words
};

// The names an online rebuild of a table uses (sqlite_online_rebuild.cc).
struct RebuildNames {
  std::string target;                 // the final table while it is filled
  std::string retired;                // the live table once the final one took its name
  std::string index_prefix;           // of the final table's indexes while it is filled
  std::string retired_index_prefix;   // of the retired table's indexes
  std::vector<std::string> triggers;  // insert, update, delete: copy writes to the target
};
RebuildNames RebuildNamesOf(const std::string& table);
// The description of the expand step that installs `table`'s dual-write triggers.
std::string DualWriteStepName(const std::string& table);
// What a kDrainTable step of `table` works on.
TableCopy DrainOf(const std::string& table);

// An index of the final table: built as `building`, renamed at the swap.
struct IndexRename {
  std::string building;
  std::string final_name;
  std::string final_sql;  // its statement in sqlite_schema after the swap
};

// The table an online rebuild makes, and what it replaces.
struct RebuildShape {
  std::string table;
  std::string create;                // CREATE TABLE IF NOT EXISTS of the target
  std::vector<std::string> targets;  // the target's columns, quoted
  std::vector<std::string> sources;  // what fills each: the live table's columns, quoted
  // The final table's indexes (name, CREATE INDEX on the final table), and
  // the live table's, which the swap renames out of their way.
  std::vector<std::pair<std::string, std::string>> indexes;
  std::vector<std::pair<std::string, std::string>> retiring;
  long long rows = 0;  // estimated
  // The table's dual-write triggers (CREATE TRIGGER statements): created
  // again after the rebuild's own, so that they run first (SQLite runs a
  // table's triggers newest first) and the rebuild's copy of a row follows
  // the columns they fill.
  std::vector<std::string> run_first;
  // The table's statement in sqlite_schema after the swap, as it should
  // read; "" leaves it as the rename writes it.
  std::string table_sql;
};

// What complete (or rollback) does for one table it rebuilds: the copy
// before the switch, the swap statements inside it and the drain after it.
struct OnlineRebuild {
  Step copy;  // without its description
  std::vector<std::string> swap;
  Step drain;
  std::string summary;  // for the switch step's description
};
OnlineRebuild BuildOnlineRebuild(const RebuildShape& shape);

// The triggers that copy each write of `table` (columns `sources`) into
// the rebuild's target (columns `targets`).
std::vector<std::string> RebuildTriggerSql(const std::string& table, const RebuildNames& names,
                                           const std::vector<std::string>& targets,
                                           const std::vector<std::string>& sources);
// How long the swap blocks writers, in words.
// How the steps of an online rebuild describe its stall: `plan` measures
// it and states the figure beside the steps (core/sqlite_stall.h); a step's
// description stays the same from plan to plan.
inline constexpr char kSwapStall[] =
    "a short swap blocks writers (plan measures how long), readers are not blocked";

// Rows a table rebuild copies per second, for the estimate `plan` prints;
// measured on a small 2-core machine, so it errs on the slow side.
inline constexpr long long kRebuildRowsPerSecond = 400000;

// True for a default SQLite's ADD COLUMN accepts (a literal).
bool IsConstantDefault(const std::string& value);
// `value` as it may follow DEFAULT in a column definition.
std::string DefaultSql(const std::string& value);
// The tables (as the operations name them) whose new version needs a view:
// those the migration changes otherwise than by adding columns SQLite adds
// under their real names (sqlite_in_place.cc). The new version uses the
// others themselves.
std::set<std::string> TablesNeedingAView(const Migration& migration);

class SqlitePlanner : private PlannerBase {
 public:
  SqlitePlanner(const Migration& migration, const Catalog& catalog, const PlanOptions& options);
  Result<Plan> Run();

 private:
  Status PlanOperation(const Operation& op);
  Status CreateTableOp(const Operation& op, const CreateTable& body);
  Status AddColumnOp(const Operation& op, const AddColumn& body);
  Status AlterColumnOp(const Operation& op, const AlterColumn& body);
  Status DropColumnOp(const Operation& op, const DropColumn& body);
  Status RenameColumnOp(const Operation& op, const RenameColumn& body);
  Status RenameTableOp(const Operation& op, const RenameTable& body);
  Status DropTableOp(const Operation& op, const DropTable& body);
  Status CreateIndexOp(const Operation& op, const CreateIndex& body);
  Status DropIndexOp(const Operation& op, const DropIndex& body);
  Status RawSqlOp(const Operation& op, const RawSql& body);
  // Builds `index` during expand: `columns` as written in CREATE INDEX,
  // `where` its " WHERE ..." or "".
  void BuildIndex(PlannedIndex index, const std::vector<std::string>& columns,
                  const std::string& where);
  // --- constraints (sqlite_constraints.cc) ---
  Status CreateConstraintOp(const Operation& op, const CreateConstraint& body);
  Status DropConstraintOp(const Operation& op, const DropConstraint& body);
  Status DropMultiColumnConstraintOp(const Operation& op, const DropMultiColumnConstraint& body);
  Status RequireNewConstraintName(const Operation& op, const VirtualTable& table,
                                  const std::string& name);
  // Replaces each of `columns` by a shadow column (see ReplaceColumn) with
  // its `up` and `down`; returns the shadows.
  Result<std::vector<std::string>> ShadowColumns(const Operation& op, VirtualTable& table,
                                                 const std::vector<std::string>& columns,
                                                 const std::map<std::string, std::string>& up,
                                                 const std::map<std::string, std::string>& down);
  void UniqueIndexOn(const VirtualTable& table, const std::string& name,
                     const std::vector<std::string>& shadows);
  Result<PlannedConstraint> ForeignKeyConstraint(const Operation& op, const VirtualTable& table,
                                                 const ConstraintDef& constraint,
                                                 const std::vector<std::string>& columns);
  // The names of the table's constraints that `name` drops: a catalog
  // constraint or a named CHECK; empty when there is none by that name.
  std::vector<std::string> ConstraintsNamed(const CatalogTable& table,
                                            const std::string& name) const;
  Status Unsupported(const Operation& op, const std::string& why) const;

  // --- helpers (sqlite_planner_helpers.cc) ---
  Result<VirtualTable*> RequireTable(const Operation& op, const std::string& field,
                                     const std::string& table);
  Status RequireNewName(const Operation& op, const std::string& field, const std::string& name);
  Status RequireNewColumnName(const Operation& op, const std::string& field,
                              const VirtualTable& table, const std::string& column);
  // Refuses changes to a table SQLite could not rebuild faithfully.
  Status RequireRebuildable(const Operation& op, const VirtualTable& table) const;
  Result<std::string> TriggerExpression(const Operation& op, const std::string& field,
                                        const VirtualTable& table, const std::string& expression,
                                        const lint::ColumnResolver& check,
                                        const lint::ColumnResolver& trigger);
  Result<std::string> UpExpression(const Operation& op, const std::string& field,
                                   const VirtualTable& table,
                                   const std::string& expression) override;
  Result<std::string> DownExpression(const Operation& op, const std::string& field,
                                     const VirtualTable& table,
                                     const std::string& expression) override;
  Result<std::string> AddShadowColumn(const Operation& op, VirtualTable& table,
                                      const std::string& name, const std::string& type,
                                      const NullableString& default_value,
                                      const std::string& collate);
  // Adds column `name` as `physical` (its shadow, or `name` itself where
  // the new version uses the table); `not_null` only with a constant default.
  Result<std::string> AddPhysicalColumn(const Operation& op, VirtualTable& table,
                                        const std::string& name, const std::string& physical,
                                        const std::string& type,
                                        const NullableString& default_value,
                                        const std::string& collate, bool not_null);
  // Whether the new version uses `physical` itself rather than its view.
  bool UsesTableItself(const std::string& physical) const;
  // What the new version uses for table `name`, as plan and status say it.
  std::string AccessOf(const std::string& name, const std::string& physical) const;
  // The original column behind `column`, if it can be replaced by a
  // shadow column.
  Result<const CatalogColumn*> RequireReplaceable(const Operation& op, const std::string& field,
                                                  const VirtualTable& table,
                                                  const VirtualColumn& column);
  // Replaces `column` by a shadow column of `type` that `up` fills from the
  // old version's writes and whose writes `down` maps back ("" for the
  // column as it is): how SQLite changes what ALTER TABLE cannot.
  Result<ColumnShape*> ReplaceColumn(const Operation& op, const std::string& field,
                                     VirtualTable& table, VirtualColumn& column,
                                     const std::string& type, NullableString default_value,
                                     const std::string& up, const std::string& down);
  // The table's CREATE TABLE statement read, or null when tandem cannot.
  const TableSql* TableSqlOf(const std::string& physical) const;
  TableSync& SyncFor(const VirtualTable& table) override;
  ColumnShape& ShapeOf(const std::string& table, const std::string& physical_column);
  std::string ReferencesClause(const Operation& op, const ForeignKeyRef& ref, Status& error);

  // --- finishing (sqlite_finish.cc, sqlite_rebuild.cc) ---
  // Column defaults the table will have, by physical column: a view has
  // none of its own, so its insert trigger supplies them.
  std::map<std::string, std::string> DefaultsOf(const VirtualTable& table) const;
  void FinishTriggers();
  void FinishViews();
  // Says what an INSERT through the new version's `views` returns.
  void WarnAboutInsertIds(const std::vector<std::string>& views);
  void FinishComplete();
  void FinishRollback();
  OnlineRebuild RebuildOnline(const VirtualTable& table);
  // The final table's columns and constraints, as CREATE TABLE lists them.
  std::vector<std::string> FinalTableDefinitions(const VirtualTable& table);
  // The final table's indexes: name and CREATE INDEX on the final columns.
  std::vector<std::pair<std::string, std::string>> FinalIndexes(const VirtualTable& table);
  // rollback's rebuild of `table` into its shape before the migration;
  // nullopt where the table cannot be rebuilt so (no rowid, unreadable).
  std::optional<OnlineRebuild> RebuildAsBefore(const std::string& table);
  std::string ColumnDefinition(const VirtualTable& table, const VirtualColumn& column) const;
  std::vector<std::string> RenameStatements(const VirtualTable& table) const;
  std::vector<std::string> KeptConstraints(const VirtualTable& table);
  std::vector<std::string> CreatedConstraints(const VirtualTable& table);
  std::vector<std::pair<std::string, std::string>> KeptIndexes(const VirtualTable& table);
  // Renames the original table's columns to their final names ("" for gone).
  ColumnRename OriginalToFinal(const VirtualTable& table, const CatalogTable& original) const;
  // Renames the table's physical columns (as this migration's own indexes
  // name them) to their final names ("" for gone).
  ColumnRename PhysicalToFinal(const VirtualTable& table) const;

  std::map<std::string, TableSync> syncs_;  // by physical table
  std::set<std::string> needs_view_;        // TablesNeedingAView
  std::set<std::string> new_names_;
  std::set<std::string> created_tables_;                        // physical
  std::map<std::string, std::set<std::string>> added_columns_;  // physical table -> columns
  std::set<std::string> rebuild_;                               // physical tables
  // Shape of each physical column whose final definition differs from the
  // catalog's: "table.column" -> shape.
  std::map<std::string, ColumnShape> shapes_;
  // Original column -> the shadow column that replaces it, "table.column".
  std::map<std::string, std::string> replaced_by_;
  std::vector<PlannedIndex> created_indexes_;
  std::vector<PlannedConstraint> created_constraints_;
  // Constraints drop_constraint removes: physical table -> names.
  std::map<std::string, std::set<std::string>> dropped_constraints_;
  std::map<std::string, TableSql> table_sql_;  // by table, those tandem could read
  std::set<std::string> dropped_indexes_;
  std::vector<std::string> raw_down_;  // rollback of raw SQL, in file order
};

}  // namespace tandem::plan::sqlite
