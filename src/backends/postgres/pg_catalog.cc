#include "backends/postgres/pg_catalog.h"

#include "backends/number.h"
#include "common/strings.h"

namespace tandem::backend::postgres {
namespace {

// Column lists come back joined by the unit separator, which cannot occur in
// an identifier a person typed.
constexpr char kSeparator = '\x1f';

std::vector<std::string> SplitList(const Value& value) {
  if (!value || value->empty()) return {};
  return Split(*value, kSeparator);
}

constexpr char kTablesSql[] = R"sql(
SELECT c.relname, c.relreplident::text, coalesce(obj_description(c.oid, 'pg_class'), ''),
       (SELECT count(*) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p'))sql";

constexpr char kColumnsSql[] = R"sql(
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       coalesce(pg_get_expr(d.adbin, d.adrelid), ''),
       a.attidentity <> '' OR a.attgenerated <> '',
       coalesce(col_description(c.oid, a.attnum), '')
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY c.relname, a.attnum)sql";

constexpr char kConstraintsSql[] = R"sql(
SELECT c.relname, con.conname, con.contype::text, con.convalidated,
       (SELECT string_agg(a.attname, chr(31) ORDER BY k.ord)
        FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
       pg_get_constraintdef(con.oid)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1)sql";

constexpr char kIndexesSql[] = R"sql(
SELECT t.relname, i.relname, ix.indisunique, ix.indisprimary, ix.indisvalid,
       (SELECT string_agg(coalesce(a.attname, ''), chr(31) ORDER BY k.ord)
        FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
        LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum),
       ix.indisreplident, pg_get_indexdef(ix.indexrelid)
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = $1)sql";

bool IsTrue(const Value& v) { return v && *v == "t"; }

Status LoadColumns(Connection& conn, plan::Catalog& catalog) {
  TANDEM_ASSIGN_OR_RETURN(QueryResult rows, conn.Query(kColumnsSql, {catalog.schema}));
  for (const auto& r : rows.rows) {
    plan::CatalogColumn column{*r[1], *r[2], IsTrue(r[3]), *r[4], IsTrue(r[5]), *r[6]};
    catalog.tables[*r[0]].columns.push_back(std::move(column));
  }
  return Status::Ok();
}

// Runs `sql` for the catalog's schema and hands each row to `add` with the
// table its first column names; rows of tables not loaded (a relation kind
// the catalog leaves out) are skipped.
template <typename Add>
Status ForRowsOfLoadedTables(Connection& conn, const char* sql, plan::Catalog& catalog, Add add) {
  TANDEM_ASSIGN_OR_RETURN(QueryResult rows, conn.Query(sql, {catalog.schema}));
  for (const auto& r : rows.rows) {
    auto table = catalog.tables.find(*r[0]);
    if (table != catalog.tables.end()) add(table->second, r);
  }
  return Status::Ok();
}

Status LoadConstraints(Connection& conn, plan::Catalog& catalog) {
  return ForRowsOfLoadedTables(conn, kConstraintsSql, catalog, [](auto& table, const auto& r) {
    plan::CatalogConstraint constraint{*r[1], (*r[2])[0], SplitList(r[4]), IsTrue(r[3]),
                                       r[5].value_or("")};
    if (constraint.type == 'p') table.primary_key = constraint.columns;
    table.constraints.push_back(std::move(constraint));
  });
}

Status LoadIndexes(Connection& conn, plan::Catalog& catalog) {
  return ForRowsOfLoadedTables(conn, kIndexesSql, catalog, [](auto& table, const auto& r) {
    plan::CatalogIndex index{*r[1],        IsTrue(r[2]),    IsTrue(r[3]),
                             IsTrue(r[4]), SplitList(r[5]), r[7].value_or("")};
    if (IsTrue(r[6])) table.replica_identity_index = index.name;
    table.indexes.push_back(std::move(index));
  });
}

// Falls back to a unique index over NOT NULL columns when there is no primary
// key: it identifies rows just as well for chunking.
void ChooseKeys(plan::Catalog& catalog) {
  for (auto& [name, table] : catalog.tables) {
    if (!table.primary_key.empty()) continue;
    for (const auto& index : table.indexes) {
      if (!index.unique || !index.valid || index.columns.empty()) continue;
      bool usable = true;
      for (const auto& c : index.columns) {
        const plan::CatalogColumn* column = table.FindColumn(c);
        usable = usable && column != nullptr && column->not_null;
      }
      if (usable) {
        table.primary_key = index.columns;
        break;
      }
    }
  }
}

}  // namespace

Result<plan::Catalog> LoadPgCatalog(Connection& conn, const std::string& schema) {
  plan::Catalog catalog;
  catalog.schema = schema;
  TANDEM_ASSIGN_OR_RETURN(QueryResult version,
                          conn.Query("SELECT current_setting('server_version_num')"));
  TANDEM_ASSIGN_OR_RETURN(
      long long server_version,
      ToInteger(version.Scalar(), "the server's version (server_version_num)", 0));
  catalog.server_version = static_cast<int>(server_version);
  TANDEM_ASSIGN_OR_RETURN(QueryResult schemas, conn.Query("SELECT nspname FROM pg_namespace"));
  for (const auto& r : schemas.rows) catalog.schemas.insert(*r[0]);
  if (catalog.schemas.count(schema) == 0) {
    return Status::InvalidInput("schema \"" + schema +
                                "\" does not exist in the database; check --schema");
  }
  TANDEM_ASSIGN_OR_RETURN(QueryResult tables, conn.Query(kTablesSql, {schema}));
  for (const auto& r : tables.rows) {
    plan::CatalogTable& table = catalog.tables[*r[0]];
    table.name = *r[0];
    table.replica_identity = (*r[1])[0];
    table.comment = *r[2];
    TANDEM_ASSIGN_OR_RETURN(long long used,
                            ToInteger(r[3], "the column numbers used by table " + table.name, 0));
    table.attribute_numbers_used = static_cast<int>(used);
  }
  TANDEM_RETURN_IF_ERROR(LoadColumns(conn, catalog));
  TANDEM_RETURN_IF_ERROR(LoadConstraints(conn, catalog));
  TANDEM_RETURN_IF_ERROR(LoadIndexes(conn, catalog));
  ChooseKeys(catalog);
  TANDEM_ASSIGN_OR_RETURN(
      QueryResult relations,
      conn.Query("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE n.nspname = $1",
                 {schema}));
  for (const auto& r : relations.rows) catalog.relation_names.insert(*r[0]);
  return catalog;
}

}  // namespace tandem::backend::postgres
