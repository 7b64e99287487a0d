#include "plan/retired.h"

namespace tandem::plan {
namespace {

// The new version's column that reads physical column `physical`, if any.
const VirtualColumn* ReaderOf(const VirtualTable& table, const std::string& physical) {
  for (const auto& c : table.columns) {
    if (c.physical == physical) return &c;
  }
  return nullptr;
}

}  // namespace

std::vector<Retired> RetiredBy(const Catalog& before, const VirtualSchema& after) {
  std::vector<Retired> retired;
  for (const auto& dropped : after.dropped_tables()) {
    retired.push_back({dropped, "", RetiredChange::kDropped, ""});
  }
  for (const auto& [name, table] : after.tables()) {
    const CatalogTable* original = before.FindTable(table.physical);
    if (original == nullptr) continue;  // created by this migration
    for (const auto& column : original->columns) {
      const VirtualColumn* kept = ReaderOf(table, column.name);
      if (kept != nullptr) {
        if (kept->name != column.name) {
          retired.push_back({table.physical, column.name, RetiredChange::kRenamed, kept->name});
        }
        continue;
      }
      // A column the new version still has under this name, but physically
      // another one (a shadow copy), replaces the original.
      bool replaced = table.FindColumn(column.name) != nullptr;
      retired.push_back({table.physical, column.name,
                         replaced ? RetiredChange::kReplaced : RetiredChange::kDropped, ""});
    }
    if (name != table.physical) {
      retired.push_back({table.physical, "", RetiredChange::kRenamed, name});
    }
  }
  return retired;
}

void DescribeRetired(const Catalog& before, const VirtualSchema& after, const PlanOptions& options,
                     Plan& plan) {
  plan.retired = RetiredBy(before, after);
  plan.retired_versions = options.previous_version_schemas;
}

}  // namespace tandem::plan
