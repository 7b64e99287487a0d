#include "plan/planner_base.h"

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

}  // namespace tandem::plan
