// The SQLite planner's driver: each operation in file order, then the parts
// that depend on all of them.
#include "plan/sqlite/sqlite_planner.h"

#include "common/overloaded.h"
#include "common/strings.h"
#include "plan/retired.h"
#include "plan/sqlite/sqlite_planner_internal.h"

namespace tandem::plan::sqlite {
namespace {

std::string VersionText(int number) {
  return std::to_string(number / 1000000) + "." + std::to_string(number / 1000 % 1000) + "." +
         std::to_string(number % 1000);
}

}  // namespace

Result<Plan> PlanSqliteMigration(const Migration& migration, const Catalog& catalog,
                                 const PlanOptions& options) {
  if (catalog.server_version < kMinimumVersion) {
    return Status::Refused("SQLite " + VersionText(catalog.server_version) +
                           " is too old for tandem, which needs " + VersionText(kMinimumVersion) +
                           " or later (ALTER TABLE DROP COLUMN, RETURNING); nothing was changed");
  }
  SqlitePlanner planner(migration, catalog, options);
  return planner.Run();
}

Result<Plan> SqlitePlanner::Run() {
  plan_.schema = "main";
  plan_.state_schema = options_.state_schema;
  plan_.version_schema = migration_.version_schema;
  plan_.version_access =
      "the old version keeps using the tables; the new version uses, per "
      "table below, the table itself where the migration only adds columns, "
      "else the view <table>__" +
      plan_.version_schema;
  needs_view_ = TablesNeedingAView(migration_);
  for (const auto& [name, table] : catalog_.tables) {
    std::string view = SqliteViewName(name, plan_.version_schema);
    if (catalog_.relation_names.count(view) > 0) {
      return Status::InvalidInput(migration_.file + ": \"" + view +
                                  "\" already exists; another migration uses the version name \"" +
                                  plan_.version_schema +
                                  "\". Set `version_schema` or rename the migration");
    }
  }
  for (op_index_ = 0; op_index_ < static_cast<int>(migration_.operations.size()); ++op_index_) {
    TANDEM_RETURN_IF_ERROR(PlanOperation(migration_.operations[op_index_]));
  }
  FinishTriggers();
  FinishViews();
  FinishComplete();
  DescribeRetired(catalog_, virtual_schema_, options_, plan_);
  FinishRollback();
  return plan_;
}

Status SqlitePlanner::PlanOperation(const Operation& op) {
  auto no = [&](const std::string& why) { return Unsupported(op, why); };
  return std::visit(
      Overloaded{
          [&](const CreateTable& b) { return CreateTableOp(op, b); },
          [&](const AddColumn& b) { return AddColumnOp(op, b); },
          [&](const AlterColumn& b) { return AlterColumnOp(op, b); },
          [&](const DropColumn& b) { return DropColumnOp(op, b); },
          [&](const RenameColumn& b) { return RenameColumnOp(op, b); },
          [&](const RenameTable& b) { return RenameTableOp(op, b); },
          [&](const DropTable& b) { return DropTableOp(op, b); },
          [&](const CreateIndex& b) { return CreateIndexOp(op, b); },
          [&](const DropIndex& b) { return DropIndexOp(op, b); },
          [&](const CreateConstraint& b) { return CreateConstraintOp(op, b); },
          [&](const DropConstraint& b) { return DropConstraintOp(op, b); },
          [&](const DropMultiColumnConstraint& b) { return DropMultiColumnConstraintOp(op, b); },
          [&](const RenameConstraint&) {
            return no(
                "SQLite cannot rename a constraint (its constraints have no separate "
                "identity)");
          },
          [&](const SetReplicaIdentity&) {
            return no("replica identity is a PostgreSQL replication setting; SQLite has none");
          },
          [&](const RawSql& b) { return RawSqlOp(op, b); },
      },
      op.body);
}

}  // namespace tandem::plan::sqlite
