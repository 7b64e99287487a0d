// The SQLite planner's working state, shared by its files. Not an API.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "lint/pg_parse.h"
#include "plan/planner_base.h"
#include "plan/sqlite/sqlite_planner.h"
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
};

// An index this migration creates: built during expand on the physical
// columns, rebuilt on the final ones when complete rebuilds its table.
struct PlannedIndex {
  std::string table;  // physical
  std::string name;
  bool unique = false;
  std::vector<std::string> columns;  // physical
  std::string where;                 // over the new version's (final) names, "" for none
};

// Rows a table rebuild copies per second, for the estimate `plan` prints;
// measured on a small 2-core machine, so it errs on the slow side.
inline constexpr long long kRebuildRowsPerSecond = 400000;

// True for a default SQLite's ADD COLUMN accepts (a literal).
bool IsConstantDefault(const std::string& value);

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
                                   const VirtualTable& table, const std::string& expression);
  Result<std::string> DownExpression(const Operation& op, const std::string& field,
                                     const VirtualTable& table, const std::string& expression);
  Result<std::string> AddShadowColumn(const Operation& op, VirtualTable& table,
                                      const std::string& name, const std::string& type,
                                      const NullableString& default_value);
  TableSync& SyncFor(const VirtualTable& table);
  ColumnShape& ShapeOf(const std::string& table, const std::string& physical_column);
  std::string ReferencesClause(const Operation& op, const ForeignKeyRef& ref, Status& error);

  // --- finishing (sqlite_finish.cc, sqlite_rebuild.cc) ---
  // Column defaults the table will have, by physical column: a view has
  // none of its own, so its insert trigger supplies them.
  std::map<std::string, std::string> DefaultsOf(const VirtualTable& table) const;
  void FinishTriggers();
  void FinishViews();
  void FinishComplete();
  void FinishRollback();
  std::vector<std::string> RebuildStatements(const VirtualTable& table, std::string& summary);
  std::vector<std::string> RenameStatements(const VirtualTable& table) const;
  std::string IndexSqlOnFinal(const VirtualTable& table, const CatalogIndex& index) const;

  std::map<std::string, TableSync> syncs_;  // by physical table
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
  std::set<std::string> dropped_indexes_;
  std::vector<std::string> raw_down_;  // rollback of raw SQL, in file order
};

}  // namespace tandem::plan::sqlite
