#include "readers/postgres/catalog_readers.h"

#include <nlohmann/json.hpp>

#include "backends/number.h"
#include "readers/findings.h"

namespace tandem::readers::postgres {
namespace {

// Every object that depends (pg_depend) on a target: a retired column (its
// attribute number), a retired table (any of its columns, or itself), or a
// view of a version schema: an old one, which complete drops, or the new
// one, which complete drops (CASCADE, taking what depends on it along) and
// creates again over the final columns. Objects of a retired table itself (its
// indexes, triggers, policies) go with it and are not readers; nor are
// tandem's own (names starting _tandem, objects in its schemas).
//
// An index or constraint of a dropped column goes with the column, as the
// migration intends, unless it also covers a column that stays: then
// complete takes away what the column that stays relied on. For a replaced
// column, tandem carries them over to the new column itself. A foreign key of
// another table stops the drop.
// The number the query gives a view of the new version (an old version's is -1).
constexpr long long kNewVersion = -2;

constexpr char kDependentsSql[] = R"sql(
WITH own AS (SELECT json_array_elements_text($4::json) AS nspname),
target AS (
  SELECT t.ord, n.nspname AS tschema, c.relname AS tab, t.col, t.change, c.oid AS relid,
         COALESCE(a.attnum, 0)::int2 AS attnum
  FROM json_to_recordset($2::json) AS t(ord int, tab text, col text, change text)
  JOIN pg_namespace n ON n.nspname = $1
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.tab
  LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = t.col AND NOT a.attisdropped
  WHERE t.col = '' OR a.attnum IS NOT NULL
  UNION ALL
  SELECT CASE WHEN n.nspname = $5 THEN -2 ELSE -1 END, n.nspname, c.relname, '', 'version',
         c.oid, 0::int2
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname IN (SELECT json_array_elements_text($3::json)) OR n.nspname = $5
),
dep AS (
  SELECT DISTINCT t.ord, t.tschema, t.tab, t.col, t.change, t.relid, t.attnum, d.classid, d.objid,
         EXISTS (SELECT 1 FROM pg_depend o
                 WHERE o.classid = d.classid AND o.objid = d.objid AND o.refobjid = t.relid
                   AND o.refobjsubid NOT IN (0, t.attnum)) AS covers_more
  FROM target t
  JOIN pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = t.relid
   AND (t.attnum = 0 OR d.refobjsubid = t.attnum)
  WHERE d.deptype IN ('n', 'a')
)
SELECT kind, name, ord, tschema, tab FROM (
  SELECT CASE v.relkind WHEN 'm' THEN 'materialized view' ELSE 'view' END AS kind,
         format('%I.%I', vn.nspname, v.relname) AS name, dep.ord, dep.tschema, dep.tab
  FROM dep
  JOIN pg_rewrite r ON dep.classid = 'pg_rewrite'::regclass AND r.oid = dep.objid
  JOIN pg_class v ON v.oid = r.ev_class
  JOIN pg_namespace vn ON vn.oid = v.relnamespace
  WHERE v.oid <> dep.relid AND vn.nspname NOT IN (SELECT nspname FROM own)
  UNION ALL
  SELECT 'trigger', format('%I ON %I.%I', g.tgname, gn.nspname, gc.relname), dep.ord, dep.tschema,
         dep.tab
  FROM dep
  JOIN pg_trigger g ON dep.classid = 'pg_trigger'::regclass AND g.oid = dep.objid
  JOIN pg_class gc ON gc.oid = g.tgrelid
  JOIN pg_namespace gn ON gn.oid = gc.relnamespace
  WHERE NOT g.tgisinternal AND g.tgname NOT LIKE '\_tandem%'
    AND (dep.col <> '' OR g.tgrelid <> dep.relid)
  UNION ALL
  SELECT 'policy', format('%I ON %I.%I', p.polname, pn.nspname, pc.relname), dep.ord, dep.tschema,
         dep.tab
  FROM dep
  JOIN pg_policy p ON dep.classid = 'pg_policy'::regclass AND p.oid = dep.objid
  JOIN pg_class pc ON pc.oid = p.polrelid
  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
  WHERE dep.col <> '' OR p.polrelid <> dep.relid
  UNION ALL
  SELECT 'generated column', format('%I.%I.%I', an.nspname, ac.relname, ga.attname), dep.ord,
         dep.tschema, dep.tab
  FROM dep
  JOIN pg_attrdef ad ON dep.classid = 'pg_attrdef'::regclass AND ad.oid = dep.objid
  JOIN pg_attribute ga ON ga.attrelid = ad.adrelid AND ga.attnum = ad.adnum
  JOIN pg_class ac ON ac.oid = ad.adrelid
  JOIN pg_namespace an ON an.oid = ac.relnamespace
  WHERE ga.attgenerated = 's' AND dep.col <> '' AND ga.attnum <> dep.attnum
  UNION ALL
  SELECT 'index', format('%I.%I', xn.nspname, xc.relname), dep.ord, dep.tschema, dep.tab
  FROM dep
  JOIN pg_class xc ON dep.classid = 'pg_class'::regclass AND xc.oid = dep.objid
   AND xc.relkind IN ('i', 'I')
  JOIN pg_namespace xn ON xn.oid = xc.relnamespace
  WHERE dep.change = 'dropped' AND dep.col <> '' AND dep.covers_more
    AND xc.relname NOT LIKE '\_tandem%'
  UNION ALL
  SELECT 'constraint', format('%I ON %I.%I', k.conname, kn.nspname, kc.relname), dep.ord,
         dep.tschema, dep.tab
  FROM dep
  JOIN pg_constraint k ON dep.classid = 'pg_constraint'::regclass AND k.oid = dep.objid
  JOIN pg_class kc ON kc.oid = k.conrelid
  JOIN pg_namespace kn ON kn.oid = kc.relnamespace
  WHERE k.conname NOT LIKE '\_tandem%'
    AND (k.conrelid <> dep.relid
         OR (dep.change = 'dropped' AND dep.col <> '' AND dep.covers_more))
  UNION ALL
  SELECT 'publication', quote_ident(pb.pubname), dep.ord, dep.tschema, dep.tab
  FROM dep
  JOIN pg_publication_rel pr ON dep.classid = 'pg_publication_rel'::regclass AND pr.oid = dep.objid
  JOIN pg_publication pb ON pb.oid = pr.prpubid
) found
)sql";

}  // namespace

std::vector<std::string> OwnSchemas(const plan::Plan& plan) {
  std::vector<std::string> own = {plan.state_schema, plan.version_schema};
  own.insert(own.end(), plan.retired_versions.begin(), plan.retired_versions.end());
  // The live schema's views are tandem's: complete repoints them at the
  // final shape in the same transaction that drops what they read.
  if (!plan.live_schema.empty()) own.push_back(plan.live_schema);
  return own;
}

Result<std::vector<Reader>> CatalogReaders(backend::Connection& conn, const plan::Plan& plan) {
  // Objects that depend on a column or table follow its renames; only the
  // bodies that name it break (body_readers.h).
  nlohmann::json targets = nlohmann::json::array();
  for (size_t i = 0; i < plan.retired.size(); ++i) {
    const plan::Retired& r = plan.retired[i];
    if (r.change == plan::RetiredChange::kRenamed) continue;
    targets.push_back({{"ord", i},
                       {"tab", r.table},
                       {"col", r.column},
                       {"change", plan::RetiredChangeName(r.change)}});
  }
  nlohmann::json versions = plan.retired_versions;
  nlohmann::json own = OwnSchemas(plan);
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result,
                          conn.Query(kDependentsSql, {plan.schema, targets.dump(), versions.dump(),
                                                      own.dump(), plan.version_schema}));
  std::vector<Reader> readers;
  for (const auto& row : result.rows) {
    Reader reader;
    reader.kind = row[0].value_or("");
    reader.name = row[1].value_or("");
    TANDEM_ASSIGN_OR_RETURN(long long ord, backend::ToInteger(row[2], "a retired object's number"));
    std::string relation = row[3].value_or("") + "." + row[4].value_or("");
    if (ord >= 0 && ord < static_cast<long long>(plan.retired.size())) {
      reader.uses = RetiredText(plan.retired[ord], plan.schema);
    } else {
      reader.uses = ord == kNewVersion ? NewVersionText(relation) : OldVersionText(relation);
    }
    reader.action = ActionFor(reader.kind);
    readers.push_back(std::move(reader));
  }
  return readers;
}

}  // namespace tandem::readers::postgres
