#include "diff/schema.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/log.h"
#include "common/strings.h"

namespace tandem::verify {
namespace {

// Columns tandem adds during a migration (shadow and marker columns); they
// legitimately differ between a table and its copy.
constexpr char kTandemColumnPrefix[] = "_tandem_";

// A collatable column's collation as provider:locale, so that "default" in a
// database with locale X equals an explicit collation for X. Read through
// to_jsonb so the query works on servers that renamed the locale columns.
constexpr char kColumnsSql[] = R"sql(
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
       CASE WHEN a.attcollation = 0 THEN '' ELSE (
         SELECT coalesce(j->>'collprovider', j->>'datlocprovider', '') || ':' ||
                coalesce(j->>'colllocale', j->>'colliculocale', j->>'collcollate',
                         j->>'datlocale', j->>'daticulocale', j->>'datcollate', '')
         FROM (SELECT CASE WHEN a.attcollation = 100
                 THEN (SELECT to_jsonb(d) FROM pg_catalog.pg_database d
                       WHERE d.datname = current_database())
                 ELSE (SELECT to_jsonb(co) FROM pg_catalog.pg_collation co
                       WHERE co.oid = a.attcollation) END AS j) AS resolved) END
FROM pg_catalog.pg_attribute a
WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum)sql";

// Key columns of every valid, total, plain unique index (INCLUDE columns left out).
constexpr char kUniqueIndexesSql[] = R"sql(
SELECT i.indexrelid, a.attname
FROM pg_catalog.pg_index i
CROSS JOIN LATERAL generate_series(0, i.indnkeyatts - 1) AS s
JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[s]
WHERE i.indrelid = $1::oid AND i.indisunique AND i.indisvalid
  AND i.indpred IS NULL AND i.indexprs IS NULL)sql";

std::string Flag(const TableInfo& table) { return "--" + table.side; }

std::string Where(const TableInfo& table) { return table.side + " table " + table.Display(); }

std::string ListColumns(const std::vector<std::string>& columns) {
  std::vector<std::string> quoted;
  for (const auto& c : columns) quoted.push_back(QuoteIdent(c));
  return Join(quoted, ", ");
}

// A server error about the user's input, made an input error; a lost
// connection stays what it is.
Status AsInputError(const Status& error, const std::string& context) {
  if (error.kind() == ErrorKind::kConnection) return error;
  return Status::InvalidInput(context + ": " + error.message());
}

Result<std::vector<std::string>> SplitName(backend::Connection& conn, const std::string& spec,
                                           const std::string& flag) {
  auto parts =
      conn.Query("SELECT array_length(p, 1), p[1], p[2] FROM parse_ident($1) AS p", {spec});
  if (!parts.ok()) return AsInputError(parts.status(), flag + " \"" + spec + "\"");
  const backend::Row& row = parts->rows.at(0);
  if (row[0] == backend::Value("1")) return std::vector<std::string>{*row[1]};
  if (row[0] == backend::Value("2")) return std::vector<std::string>{*row[1], *row[2]};
  return Status::InvalidInput(flag + " \"" + spec + "\": expected TABLE or SCHEMA.TABLE");
}

Status LoadColumns(backend::Connection& conn, TableInfo& table) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result, conn.Query(kColumnsSql, {table.oid}));
  for (const auto& row : result.rows) {
    table.columns.push_back({*row[0], *row[1], row[2] == backend::Value("t"), *row[3]});
  }
  return Status::Ok();
}

Result<TableInfo> DescribeTable(backend::Connection& conn, const std::string& spec,
                                const std::string& default_schema, const std::string& side) {
  TableInfo table;
  table.side = side;
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> parts, SplitName(conn, spec, "--" + side));
  table.schema = parts.size() == 2 ? parts[0] : default_schema;
  table.name = parts.back();
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult found,
      conn.Query("SELECT c.oid, c.relkind FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace "
                 "n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
                 {table.schema, table.name}));
  if (found.rows.empty()) {
    return Status::InvalidInput(side + " table \"" + table.Display() + "\" does not exist in " +
                                conn.Describe() + " (" + Flag(table) + " \"" + spec +
                                "\"; an unqualified name is looked up in schema \"" +
                                default_schema + "\")");
  }
  std::string kind = found.rows[0][1].value_or("");
  if (std::string("rpmvf").find(kind) == std::string::npos || kind.empty()) {
    return Status::InvalidInput(Flag(table) + " \"" + spec + "\" is not a table or view");
  }
  table.oid = *found.rows[0][0];
  TANDEM_RETURN_IF_ERROR(LoadColumns(conn, table));
  return table;
}

// "does not exist", with the catalog spelling when only the case differs.
Status NoSuchColumn(const TableInfo& table, const std::string& column, const std::string& flag) {
  std::string message = flag + " column \"" + column + "\" does not exist in " + Where(table);
  for (const auto& c : table.columns) {
    if (ToLower(c.name) == ToLower(column)) message += "; did you mean \"" + c.name + "\"?";
  }
  return Status::InvalidInput(message);
}

Status CheckColumnsExist(const TableInfo& table, const std::vector<std::string>& columns,
                         const std::string& flag) {
  for (const auto& column : columns) {
    if (table.Find(column) == nullptr) return NoSuchColumn(table, column, flag);
  }
  return Status::Ok();
}

// Key columns first, then the other compared columns, each once.
Result<std::vector<std::string>> ChooseColumns(const TableInfo& source, const TableInfo& target,
                                               const DiffOptions& options) {
  std::vector<std::string> columns = options.key;
  std::vector<std::string> chosen = options.columns;
  if (chosen.empty()) {
    for (const auto& c : source.columns) {
      if (!StartsWith(c.name, kTandemColumnPrefix)) chosen.push_back(c.name);
    }
  }
  TANDEM_RETURN_IF_ERROR(CheckColumnsExist(source, chosen, "--columns"));
  for (const auto& c : chosen) {
    if (target.Find(c) == nullptr && options.columns.empty()) {
      return Status::InvalidInput("column \"" + c + "\" of " + Where(source) +
                                  " does not exist in " + Where(target) +
                                  "; name the columns to compare with --columns");
    }
    if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
  }
  TANDEM_RETURN_IF_ERROR(CheckColumnsExist(target, chosen, "--columns"));
  return columns;
}

// Ranges are cut by key: a duplicate or NULL key on the source would make
// rows fall between ranges or into several.
Status CheckKeyUsable(backend::Connection& conn, const TableInfo& source,
                      const std::vector<std::string>& key) {
  for (const auto& column : key) {
    if (!source.Find(column)->not_null) {
      return Status::InvalidInput("--key column \"" + column + "\" of " + Where(source) +
                                  " allows NULL; the key must be NOT NULL (like a primary key)");
    }
  }
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult indexes,
                          conn.Query(kUniqueIndexesSql, {source.oid}));
  std::map<std::string, std::set<std::string>> columns_of;
  for (const auto& row : indexes.rows) columns_of[*row[0]].insert(*row[1]);
  std::set<std::string> key_set(key.begin(), key.end());
  for (const auto& [index, columns] : columns_of) {
    if (std::includes(key_set.begin(), key_set.end(), columns.begin(), columns.end())) {
      return Status::Ok();
    }
  }
  return Status::InvalidInput("--key (" + ListColumns(key) + ") is not unique in " + Where(source) +
                              ": no primary key or unique index on these columns; use the primary "
                              "key's columns");
}

ScanShape ShapeOf(const TableInfo& table, const DiffPlan& plan, const DiffOptions& options) {
  ScanShape shape;
  shape.table = QualifiedName(table.schema, table.name);
  for (const auto& column : plan.key) {
    bool c_collated =
        std::find(plan.c_collated.begin(), plan.c_collated.end(), column) != plan.c_collated.end();
    shape.key_exprs.push_back(QuoteIdent(column) + (c_collated ? " COLLATE \"C\"" : ""));
    shape.key_types.push_back(table.Find(column)->type);
  }
  for (const auto& column : plan.columns) shape.row_exprs.push_back(QuoteIdent(column));
  shape.partition = options.partition_by;
  return shape;
}

// Runs the row expression once (LIMIT 0) so a bad --partition-by or an
// unreadable table is reported before the scan starts.
Status CheckReadable(backend::Connection& conn, const TableInfo& table, const ScanShape& shape) {
  std::string partition = shape.partition.empty() ? "" : ", (" + shape.partition + ")::text";
  auto probe =
      conn.Query("SELECT " + HashExpr(shape) + partition + " FROM " + shape.table + " LIMIT 0");
  if (probe.ok()) return Status::Ok();
  std::string context = shape.partition.empty()
                            ? "cannot read " + Where(table)
                            : "--partition-by \"" + shape.partition + "\" on " + Where(table);
  return AsInputError(probe.status(), context);
}

}  // namespace

const ColumnInfo* TableInfo::Find(const std::string& column) const {
  for (const auto& c : columns) {
    if (c.name == column) return &c;
  }
  return nullptr;
}

Result<DiffPlan> PlanDiff(backend::Connection& source, backend::Connection& target,
                          const DiffOptions& options) {
  if (options.key.empty()) return Status::InvalidInput("--key needs at least one column");
  DiffPlan plan;
  TANDEM_ASSIGN_OR_RETURN(
      plan.source, DescribeTable(source, options.source_table, options.default_schema, "source"));
  TANDEM_ASSIGN_OR_RETURN(
      plan.target, DescribeTable(target, options.target_table, options.default_schema, "target"));
  TANDEM_RETURN_IF_ERROR(CheckColumnsExist(plan.source, options.key, "--key"));
  TANDEM_RETURN_IF_ERROR(CheckColumnsExist(plan.target, options.key, "--key"));
  plan.key = options.key;
  TANDEM_ASSIGN_OR_RETURN(plan.columns, ChooseColumns(plan.source, plan.target, options));
  TANDEM_RETURN_IF_ERROR(CheckKeyUsable(source, plan.source, plan.key));
  for (const auto& column : plan.key) {
    if (plan.source.Find(column)->collation != plan.target.Find(column)->collation) {
      plan.c_collated.push_back(column);
      spdlog::warn(
          "--key column \"{}\" has another collation in each table; ranges are compared in "
          "the \"C\" collation, which the key's index cannot serve (slower)",
          column);
    }
  }
  plan.source_shape = ShapeOf(plan.source, plan, options);
  plan.target_shape = ShapeOf(plan.target, plan, options);
  TANDEM_RETURN_IF_ERROR(CheckReadable(source, plan.source, plan.source_shape));
  TANDEM_RETURN_IF_ERROR(CheckReadable(target, plan.target, plan.target_shape));
  return plan;
}

}  // namespace tandem::verify
