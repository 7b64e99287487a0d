#include "plan/virtual_schema.h"

namespace tandem::plan {

VirtualColumn* VirtualTable::FindColumn(const std::string& column) {
  for (auto& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

const VirtualColumn* VirtualTable::FindColumn(const std::string& column) const {
  return const_cast<VirtualTable*>(this)->FindColumn(column);
}

std::optional<std::string> VirtualTable::PhysicalOf(const std::string& column) const {
  const VirtualColumn* c = FindColumn(column);
  if (c == nullptr) return std::nullopt;
  return c->physical;
}

VirtualSchema VirtualSchema::FromCatalog(const Catalog& catalog) {
  VirtualSchema schema;
  for (const auto& [name, table] : catalog.tables) {
    VirtualTable vt;
    vt.name = name;
    vt.physical = name;
    vt.key_columns = table.primary_key;
    for (const auto& c : table.columns) {
      vt.columns.push_back({c.name, c.name, c.type, !c.not_null});
    }
    schema.tables_.emplace(name, std::move(vt));
  }
  return schema;
}

VirtualTable* VirtualSchema::FindTable(const std::string& table) {
  auto it = tables_.find(table);
  return it == tables_.end() ? nullptr : &it->second;
}

void VirtualSchema::AddTable(VirtualTable table) {
  std::string name = table.name;
  tables_.insert_or_assign(name, std::move(table));
}

void VirtualSchema::RenameTable(const std::string& from, const std::string& to) {
  auto node = tables_.extract(from);
  node.key() = to;
  node.mapped().name = to;
  tables_.insert(std::move(node));
}

void VirtualSchema::DropTable(const std::string& table) {
  auto it = tables_.find(table);
  if (it == tables_.end()) return;
  dropped_tables_.push_back(it->second.physical);
  tables_.erase(it);
}

void VirtualSchema::ForgetTable(const std::string& table) { tables_.erase(table); }

}  // namespace tandem::plan
