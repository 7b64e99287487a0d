#include "backends/sqlite/sqlite_catalog.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "backends/number.h"
#include "backends/sqlite/sqlite_connection.h"
#include "common/strings.h"

namespace tandem::backend::sqlite {
namespace {

// How long LoadSqliteCatalog counts rows in all.
constexpr Millis kCountingBudget{2000};

Status LoadColumns(Connection& conn, plan::CatalogTable& table) {
  TANDEM_ASSIGN_OR_RETURN(QueryResult rows,
                          conn.Query("SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM "
                                     "pragma_table_xinfo($1) ORDER BY cid",
                                     {table.name}));
  std::vector<std::pair<int, std::string>> key;
  for (const auto& r : rows.rows) {
    plan::CatalogColumn column;
    column.name = *r[0];
    column.type = r[1].value_or("");
    column.not_null = r[2] == Value("1");
    column.default_expr = r[3].value_or("");
    column.generated = r[5] != Value("0");  // hidden: virtual table or generated column
    TANDEM_ASSIGN_OR_RETURN(
        long long pk, ToInteger(r[4], "the primary key position of column " + column.name, 0));
    if (pk > 0) key.emplace_back(pk, column.name);
    table.columns.push_back(std::move(column));
  }
  std::sort(key.begin(), key.end());
  for (const auto& [order, name] : key) table.primary_key.push_back(name);
  return Status::Ok();
}

Status LoadIndexes(Connection& conn, plan::CatalogTable& table) {
  TANDEM_ASSIGN_OR_RETURN(
      QueryResult rows,
      conn.Query("SELECT l.name, l.\"unique\", l.origin, coalesce(s.sql, '') FROM "
                 "pragma_index_list($1) l LEFT JOIN sqlite_schema s ON s.name = l.name "
                 "ORDER BY l.seq",
                 {table.name}));
  for (const auto& r : rows.rows) {
    plan::CatalogIndex index;
    index.name = *r[0];
    index.unique = r[1] == Value("1");
    index.primary = r[2] == Value("pk");
    index.definition = *r[3];
    TANDEM_ASSIGN_OR_RETURN(
        QueryResult columns,
        conn.Query("SELECT coalesce(name, '') FROM pragma_index_info($1) ORDER BY seqno",
                   {index.name}));
    for (const auto& c : columns.rows) index.columns.push_back(*c[0]);
    if (r[2] == Value("u")) table.constraints.push_back({index.name, 'u', index.columns, true, ""});
    table.indexes.push_back(std::move(index));
  }
  return Status::Ok();
}

// Each foreign key with its REFERENCES clause, which a table rebuild needs.
Status LoadForeignKeys(Connection& conn, plan::CatalogTable& table) {
  TANDEM_ASSIGN_OR_RETURN(
      QueryResult rows,
      conn.Query("SELECT id, \"from\", \"table\", \"to\", on_update, on_delete FROM "
                 "pragma_foreign_key_list($1) ORDER BY id, seq",
                 {table.name}));
  std::map<std::string, std::vector<const Row*>> by_id;
  for (const auto& r : rows.rows) by_id[*r[0]].push_back(&r);
  for (const auto& [id, parts] : by_id) {
    plan::CatalogConstraint fk{table.name + "_fkey" + id, 'f', {}, true, ""};
    std::vector<std::string> targets;
    for (const Row* r : parts) {
      fk.columns.push_back(*(*r)[1]);
      if ((*r)[3]) targets.push_back(QuoteIdent(*(*r)[3]));
    }
    const Row& first = *parts.front();
    fk.definition = "REFERENCES " + QuoteIdent(*first[2]);
    if (!targets.empty()) fk.definition += " (" + Join(targets, ", ") + ")";
    fk.definition += " ON UPDATE " + first[4].value_or("NO ACTION") + " ON DELETE " +
                     first[5].value_or("NO ACTION");
    table.constraints.push_back(std::move(fk));
  }
  return Status::Ok();
}

// Rows of `table`, for plan's estimates. count(*) is exact and cheap: SQLite
// counts the cells of the table's (or its smallest index's) b-tree pages
// without decoding a row, about 30 ms of CPU per million rows. The rowid
// span (max(rowid), one page) is what it replaced: a single far rowid made
// it any number of times too large. sqlite_stat1 is absent unless someone
// ran ANALYZE, and as old as that run. Once counting has taken
// kCountingBudget (a database of many huge tables), the span stands in.
long long EstimateRows(Connection& conn, const std::string& table, Millis& counting) {
  auto started = std::chrono::steady_clock::now();
  bool count = counting < kCountingBudget;
  auto rows = conn.Query(count ? "SELECT count(*) FROM " + QuoteIdent(table)
                               : "SELECT coalesce(max(rowid) - min(rowid) + 1, 0) FROM " +
                                     QuoteIdent(table));
  counting += std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  // (A WITHOUT ROWID table has no rowid; the planner refuses those anyway.)
  if (!rows.ok()) return 0;
  Result<long long> estimate = ToInteger(rows->Scalar(), "the rows of " + table, 0);
  return estimate.ok() ? *estimate : 0;
}

}  // namespace

Result<plan::Catalog> LoadSqliteCatalog(Connection& conn) {
  plan::Catalog catalog;
  catalog.schema = "main";
  catalog.server_version = SqliteVersionNumber();
  TANDEM_ASSIGN_OR_RETURN(
      QueryResult relations,
      conn.Query("SELECT type, name, coalesce(sql, ''), tbl_name FROM sqlite_schema ORDER BY "
                 "type = 'trigger'"));
  Millis counting{0};
  for (const auto& r : relations.rows) {
    const std::string& name = *r[1];
    catalog.relation_names.insert(name);
    bool internal =
        StartsWith(name, "sqlite_") || StartsWith(name, "tandem_") || StartsWith(name, "_tandem_");
    // Triggers sort last, so their tables are loaded; tandem's own (named
    // _tandem_...) are not the table's.
    auto owner = catalog.tables.find(*r[3]);
    if (*r[0] == "trigger" && !internal && owner != catalog.tables.end()) {
      owner->second.triggers.push_back(name);
    }
    if (*r[0] != "table" || internal) continue;
    plan::CatalogTable table;
    table.name = name;
    table.definition = *r[2];
    TANDEM_RETURN_IF_ERROR(LoadColumns(conn, table));
    TANDEM_RETURN_IF_ERROR(LoadIndexes(conn, table));
    TANDEM_RETURN_IF_ERROR(LoadForeignKeys(conn, table));
    table.estimated_rows = EstimateRows(conn, name, counting);
    catalog.tables.emplace(name, std::move(table));
  }
  return catalog;
}

}  // namespace tandem::backend::sqlite
