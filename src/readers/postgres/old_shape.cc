#include "readers/postgres/old_shape.h"

#include "lint/body_refs.h"
#include "lint/pg_parse.h"
#include "readers/findings.h"

namespace tandem::readers::postgres {
namespace {

// The first relation of `refs` qualified by `schema`, as schema.name.
std::string RelationIn(const lint::BodyReferences& refs, const std::string& schema) {
  for (const auto& r : refs.relations) {
    if (r.schema == schema) return schema + "." + r.name;
  }
  return schema;
}

}  // namespace

std::string OldShapeUse(const std::string& sql, const plan::Plan& plan) {
  Result<lint::BodyReferences> refs = lint::StatementReferences(sql);
  if (!refs.ok()) return "";
  for (const auto& version : plan.retired_versions) {
    if (lint::NamesSchema(*refs, version)) return OldVersionText(RelationIn(*refs, version));
  }
  Result<nlohmann::json> tree = lint::ParseStatements(sql);
  bool star = tree.ok() && tree->dump().find("\"A_Star\"") != std::string::npos;
  for (const auto& r : plan.retired) {
    if (r.change == plan::RetiredChange::kReplaced) continue;  // the name keeps working
    if (!lint::NamesRelation(*refs, plan.schema, r.table)) continue;
    std::string change = r.change == plan::RetiredChange::kRenamed
                             ? "which complete renames to " + r.renamed_to
                             : "which complete drops";
    std::string table = plan.schema + "." + r.table;
    if (r.column.empty()) return "table " + table + ", " + change;
    if (refs->columns.count(r.column) > 0)
      return "column " + table + "." + r.column + ", " + change;
    if (star) return "column " + table + "." + r.column + " (through *), " + change;
  }
  return "";
}

}  // namespace tandem::readers::postgres
