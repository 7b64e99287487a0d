// A snapshot of the live schema that a migration is planned against. The
// backend loads it; the planner only reads it. Names are as stored in the
// catalog (unquoted).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace tandem::plan {

struct CatalogColumn {
  std::string name;
  std::string type;  // format_type(): "character varying(255)"
  bool not_null = false;
  std::string default_expr;  // pg_get_expr(), empty when none
  bool generated = false;    // identity or stored generated column
  std::string comment;
};

struct CatalogConstraint {
  std::string name;
  char type = 0;  // 'p' primary, 'u' unique, 'c' check, 'f' foreign key, 'x' exclude
  std::vector<std::string> columns;
  bool validated = true;
  // PostgreSQL: pg_get_constraintdef(); SQLite foreign keys: the REFERENCES clause
  std::string definition;
};

struct CatalogIndex {
  std::string name;
  bool unique = false;
  bool primary = false;
  bool valid = true;
  std::vector<std::string> columns;  // empty entries for expressions
  // PostgreSQL: pg_get_indexdef(); SQLite: its CREATE INDEX statement ("" if implicit)
  std::string definition;
};

// PostgreSQL's MaxHeapAttributeNumber: columns a table can ever have had.
inline constexpr int kMaxAttributeNumbers = 1600;

struct CatalogTable {
  std::string name;
  std::vector<CatalogColumn> columns;
  std::vector<CatalogConstraint> constraints;
  std::vector<CatalogIndex> indexes;
  std::vector<std::string> primary_key;
  char replica_identity = 'd';  // d default, f full, n nothing, i index
  std::string replica_identity_index;
  std::string comment;
  // SQLite: the CREATE TABLE statement as stored, which a table rebuild
  // must honour (constraints the catalog pragmas do not describe).
  std::string definition;
  std::vector<std::string> triggers;  // SQLite: names of the table's own triggers
  long long estimated_rows = 0;       // SQLite: count(*), for rebuild estimates
  // PostgreSQL: attribute numbers taken, dropped columns included (they keep
  // theirs until the table is recreated); a table has kMaxAttributeNumbers.
  int attribute_numbers_used = 0;

  const CatalogColumn* FindColumn(const std::string& column) const;
  const CatalogConstraint* FindConstraint(const std::string& constraint) const;
};

struct Catalog {
  std::string schema;
  std::map<std::string, CatalogTable> tables;
  std::set<std::string> relation_names;  // every relation in the schema (indexes too)
  std::set<std::string> schemas;         // every schema in the database
  int server_version = 0;                // server_version_num (SQLite: its version number)

  const CatalogTable* FindTable(const std::string& table) const;
};

}  // namespace tandem::plan
