#include "plan/planner_base.h"

#include "common/strings.h"
#include "plan/planner_messages.h"

namespace tandem::plan {

PlannerBase::PlannerBase(const Migration& migration, const Catalog& catalog,
                         const PlanOptions& options)
    : migration_(migration),
      catalog_(catalog),
      options_(options),
      virtual_schema_(VirtualSchema::FromCatalog(catalog)) {}

std::string PlannerBase::Where(const Operation& op, const std::string& field) const {
  return OperationWhere(migration_.file, op_index_, op, field);
}

Status PlannerBase::ErrorAt(const Operation& op, const std::string& field,
                            const std::string& message) const {
  return Status::InvalidInput(Where(op, field) + ": " + message);
}

Result<VirtualColumn*> PlannerBase::RequireColumn(const Operation& op, const std::string& field,
                                                  VirtualTable& table, const std::string& column) {
  VirtualColumn* found = table.FindColumn(column);
  if (found != nullptr) return found;
  return ErrorAt(op, field, UnknownColumnMessage(table, column));
}

Result<std::string> PlannerBase::SyncThroughShadow(const Operation& op, VirtualTable& table,
                                                   VirtualColumn& column, const std::string& shadow,
                                                   const std::string& type, const std::string& up,
                                                   const std::string& down) {
  std::string up_text = up.empty() ? QuoteIdent(column.physical) : up;
  TANDEM_ASSIGN_OR_RETURN(std::string up_sql, UpExpression(op, "up", table, up_text));
  // `down` reads the new version's names; until here the column's name
  // still maps to the original, so it is resolved against the shadow.
  std::string original_physical = column.physical;
  column.physical = shadow;
  column.type = type;
  std::string down_text = down.empty() ? QuoteIdent(column.name) : down;
  TANDEM_ASSIGN_OR_RETURN(std::string down_sql, DownExpression(op, "down", table, down_text));
  TableSync& sync = SyncFor(table);
  sync.up.push_back({shadow, up_sql});
  sync.down.push_back({original_physical, down_sql});
  sync.backfill = true;
  return original_physical;
}

}  // namespace tandem::plan
