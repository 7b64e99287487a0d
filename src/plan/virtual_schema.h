// The schema as the new application version will see it, built up operation
// by operation during planning. Each virtual table and column remembers the
// physical object behind it, which is how the planner knows what the views
// expose, what `complete` renames and drops, and what expressions read.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plan/catalog.h"

namespace tandem::plan {

struct VirtualColumn {
  std::string name;      // as the new version sees it
  std::string physical;  // the column in the physical table
  std::string type;
  bool nullable = true;
};

struct VirtualTable {
  std::string name;
  std::string physical;
  bool created = false;  // created by this migration
  std::vector<VirtualColumn> columns;
  std::vector<std::string> key_columns;  // physical names of the primary key

  VirtualColumn* FindColumn(const std::string& column);
  const VirtualColumn* FindColumn(const std::string& column) const;
  // The physical column behind `column`, or nullopt.
  std::optional<std::string> PhysicalOf(const std::string& column) const;
};

class VirtualSchema {
 public:
  static VirtualSchema FromCatalog(const Catalog& catalog);

  VirtualTable* FindTable(const std::string& table);
  const std::map<std::string, VirtualTable>& tables() const { return tables_; }
  void AddTable(VirtualTable table);
  void RenameTable(const std::string& from, const std::string& to);
  void DropTable(const std::string& table);
  // The table is gone already (raw SQL dropped it): no view shows it and
  // `complete` has nothing to drop.
  void ForgetTable(const std::string& table);
  // Physical tables dropped by this migration.
  const std::vector<std::string>& dropped_tables() const { return dropped_tables_; }

 private:
  std::map<std::string, VirtualTable> tables_;
  std::vector<std::string> dropped_tables_;
};

}  // namespace tandem::plan
