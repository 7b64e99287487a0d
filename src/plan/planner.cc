// The planner's driver: each operation in file order, then the parts that
// depend on all of them (triggers, views, the contract switch, rollback).
#include "plan/planner.h"

#include "common/overloaded.h"
#include "common/strings.h"
#include "plan/planner_internal.h"
#include "plan/retired.h"
#include "plan/triggers.h"

namespace tandem::plan {
Result<Plan> PlanMigration(const Migration& migration, const Catalog& catalog,
                           const PlanOptions& options) {
  Planner planner(migration, catalog, options);
  return planner.Run();
}

Result<Plan> Planner::Run() {
  plan_.schema = options_.schema;
  plan_.state_schema = options_.state_schema;
  plan_.version_schema = VersionSchemaName(options_.schema, migration_.version_schema);
  if (plan_.version_schema.size() > 63) {
    return Status::InvalidInput(migration_.file + ": version schema name \"" +
                                plan_.version_schema +
                                "\" exceeds 63 bytes; set a shorter `version_schema`");
  }
  if (catalog_.schemas.count(plan_.version_schema) > 0) {
    return Status::InvalidInput(
        migration_.file + ": schema \"" + plan_.version_schema +
        "\" already exists; another migration uses this version name. Set `version_schema` or "
        "rename the migration");
  }
  std::string live = LiveSchemaName(options_.schema);
  if (live.size() > 63 || live == plan_.version_schema) {
    return Status::InvalidInput(migration_.file + ": the version schema \"" + plan_.version_schema +
                                "\" and the live schema \"" + live +
                                "\" must differ and fit 63 bytes; set another `version_schema`" +
                                (live.size() > 63 ? " or migrate a schema of a shorter name" : ""));
  }
  for (op_index_ = 0; op_index_ < static_cast<int>(migration_.operations.size()); ++op_index_) {
    TANDEM_RETURN_IF_ERROR(PlanOperation(migration_.operations[op_index_]));
  }
  FinishCarryOver();
  TANDEM_RETURN_IF_ERROR(RefuseBrokenConcurrentIndexBuilds());
  FinishTriggers();
  TANDEM_RETURN_IF_ERROR(CheckAttributeNumbers());
  FinishViews();
  FinishLiveSchema();
  FinishComplete();
  DescribeRetired(catalog_, virtual_schema_, options_, plan_);
  FinishRollback();
  return plan_;
}

// PostgreSQL 14.0 to 14.3 can silently corrupt indexes built CONCURRENTLY
// (fixed in 14.4); tandem builds every index that way, so it refuses there.
Status Planner::RefuseBrokenConcurrentIndexBuilds() const {
  constexpr int kFirstBroken = 140000;
  constexpr int kFirstFixed = 140004;
  if (catalog_.server_version < kFirstBroken || catalog_.server_version >= kFirstFixed) {
    return Status::Ok();
  }
  for (const auto& step : plan_.expand) {
    if (!step.concurrent) continue;
    return Status::Refused(
        migration_.file + ": this migration builds an index CONCURRENTLY (\"" + step.description +
        "\"), which PostgreSQL 14.0-14.3 can corrupt silently; the server runs " +
        std::to_string(catalog_.server_version) + ". Upgrade to 14.4 or later first");
  }
  return Status::Ok();
}

// Every column a migration adds to a table (new, shadow, tandem's marker)
// takes an attribute number for good: dropping it on rollback or at
// complete does not give it back. PostgreSQL refuses the column after the
// 1600th, which would stop start half-way, so the plan refuses first and
// warns while few are left.
Status Planner::CheckAttributeNumbers() {
  constexpr int kFewLeft = 100;
  std::map<std::string, int> needed = raw_sql_columns_;
  for (const auto& [table, columns] : added_columns_) {
    needed[table] += static_cast<int>(columns.size());
  }
  for (const auto& [table, count] : needed) {
    const CatalogTable* original = catalog_.FindTable(table);
    if (original == nullptr || original->attribute_numbers_used == 0 || count == 0) continue;
    int left = kMaxAttributeNumbers - original->attribute_numbers_used;
    std::string state = "table \"" + table + "\" has " + std::to_string(left) + " of " +
                        std::to_string(kMaxAttributeNumbers) +
                        " column numbers left (dropped columns keep theirs until the table is "
                        "recreated), and this migration adds " +
                        std::to_string(count) + " columns (new, shadow and tandem's marker)";
    if (count > left) {
      return Status::Refused(
          std::string(lint::kRuleColumnNumbers) + " " + migration_.file + ": " + state +
          ", more than PostgreSQL allows, so start would fail half-way. Change fewer columns "
          "of it per migration, or recreate the table first to free the numbers (CREATE TABLE "
          "... (LIKE " +
          table + " INCLUDING ALL), copy the rows, swap the names)");
    }
    if (left - count < kFewLeft) {
      plan_.warnings.push_back(std::string(lint::kRuleColumnNumbers) + ": " + state + ", leaving " +
                               std::to_string(left - count));
    }
  }
  return Status::Ok();
}

Status Planner::PlanOperation(const Operation& op) {
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
          [&](const RenameConstraint& b) { return RenameConstraintOp(op, b); },
          [&](const SetReplicaIdentity& b) { return SetReplicaIdentityOp(op, b); },
          [&](const RawSql& b) { return RawSqlOp(op, b); },
      },
      op.body);
}

}  // namespace tandem::plan
