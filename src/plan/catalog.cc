#include "plan/catalog.h"

namespace tandem::plan {

const CatalogColumn* CatalogTable::FindColumn(const std::string& column) const {
  for (const auto& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

const CatalogConstraint* CatalogTable::FindConstraint(const std::string& constraint) const {
  for (const auto& c : constraints) {
    if (c.name == constraint) return &c;
  }
  return nullptr;
}

const CatalogTable* Catalog::FindTable(const std::string& table) const {
  auto it = tables.find(table);
  return it == tables.end() ? nullptr : &it->second;
}

}  // namespace tandem::plan
