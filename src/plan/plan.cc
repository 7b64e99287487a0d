#include "plan/plan.h"

namespace tandem::plan {

const char* LockLevelName(LockLevel level) {
  switch (level) {
    case LockLevel::kNone:
      return "none";
    case LockLevel::kAccessShare:
      return "ACCESS SHARE";
    case LockLevel::kRowShare:
      return "ROW SHARE";
    case LockLevel::kRowExclusive:
      return "ROW EXCLUSIVE";
    case LockLevel::kShareUpdateExclusive:
      return "SHARE UPDATE EXCLUSIVE";
    case LockLevel::kShare:
      return "SHARE";
    case LockLevel::kShareRowExclusive:
      return "SHARE ROW EXCLUSIVE";
    case LockLevel::kExclusive:
      return "EXCLUSIVE";
    case LockLevel::kAccessExclusive:
      return "ACCESS EXCLUSIVE";
  }
  return "unknown";
}

const char* LockLevelEffect(LockLevel level) {
  switch (level) {
    case LockLevel::kNone:
    case LockLevel::kAccessShare:
    case LockLevel::kRowShare:
    case LockLevel::kRowExclusive:
      return "blocks no reads or writes";
    case LockLevel::kShareUpdateExclusive:
      return "blocks other DDL and VACUUM, not reads or writes";
    case LockLevel::kShare:
    case LockLevel::kShareRowExclusive:
    case LockLevel::kExclusive:
      return "blocks writes, not reads";
    case LockLevel::kAccessExclusive:
      return "blocks reads and writes (held briefly)";
  }
  return "";
}

const char* RetiredChangeName(RetiredChange change) {
  switch (change) {
    case RetiredChange::kDropped:
      return "dropped";
    case RetiredChange::kReplaced:
      return "replaced";
    case RetiredChange::kRenamed:
      return "renamed";
  }
  return "dropped";
}

Status RefuseIrreversible(const Plan& plan) {
  if (plan.irreversible.empty()) return Status::Ok();
  std::string message = "this migration's start runs SQL that rollback cannot undo:";
  for (const auto& i : plan.irreversible) {
    message += "\n  " + i.rule + " " + i.where + ": `" + i.statement + "` " + i.what;
  }
  message +=
      "\nMove such statements to an `sql` operation with `onComplete: true` (it runs at "
      "complete, once the old version is gone), or run again with --allow-irreversible if "
      "losing them on rollback is intended";
  return Status::Refused(message);
}

std::string NewColumnName(const std::string& column) { return "_tandem_new_" + column; }

std::string TriggerFunctionName(const std::string& schema, const std::string& table) {
  return "dual_write_" + schema + "_" + table;
}

std::string VersionSchemaName(const std::string& schema, const std::string& version) {
  return schema + "_" + version;
}

std::string LiveSchemaName(const std::string& schema) { return schema + "_live"; }

}  // namespace tandem::plan
