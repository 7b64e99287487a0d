#include "readers/postgres/body_readers.h"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/log.h"
#include "lint/body_refs.h"
#include "readers/findings.h"
#include "readers/postgres/catalog_readers.h"

namespace tandem::readers::postgres {
namespace {

// The users' functions and procedures in SQL and PL/pgSQL: not the
// system's, not tandem's (its schemas), not an extension's.
constexpr char kFunctionsSql[] = R"sql(
SELECT p.oid, format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)),
       p.prokind, pg_get_functiondef(p.oid)
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
WHERE p.prokind IN ('f', 'p') AND l.lanname IN ('sql', 'plpgsql')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
  AND n.nspname NOT IN (SELECT json_array_elements_text($1::json))
  AND NOT EXISTS (SELECT 1 FROM pg_depend e
                  WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e')
ORDER BY 2
)sql";

// The users' triggers on the tables of `$2` in schema `$1`, with their function.
constexpr char kTriggersSql[] = R"sql(
SELECT format('%I ON %I.%I', g.tgname, n.nspname, c.relname), c.relname, g.tgfoid
FROM pg_trigger g
JOIN pg_class c ON c.oid = g.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname IN (SELECT json_array_elements_text($2::json))
  AND NOT g.tgisinternal AND g.tgname NOT LIKE '\_tandem%'
)sql";

struct Function {
  std::string name;  // public.f(integer)
  std::string kind;  // kFunction or kProcedure
  lint::BodyReferences refs;
};

// A function body naming a column or table by name breaks when complete
// drops or renames it; a replaced column comes back under the same name,
// and a body the server keeps parsed (BEGIN ATOMIC) follows a rename.
bool Breaks(const plan::Retired& r, const lint::BodyReferences& refs) {
  if (r.change == plan::RetiredChange::kReplaced) return false;
  return r.change != plan::RetiredChange::kRenamed || !refs.parsed_by_server;
}

Result<std::map<std::string, Function>> ReadFunctions(backend::Connection& conn,
                                                      const plan::Plan& plan) {
  nlohmann::json own = OwnSchemas(plan);
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result, conn.Query(kFunctionsSql, {own.dump()}));
  std::map<std::string, Function> functions;  // by oid
  for (const auto& row : result.rows) {
    Function f{row[1].value_or(""), row[2].value_or("") == "p" ? kProcedure : kFunction, {}};
    auto refs = lint::FunctionBodyReferences(row[3].value_or(""));
    if (!refs.ok()) {
      spdlog::warn("cannot read the body of {} ({}); it is not checked for hidden readers", f.name,
                   refs.status().message());
      continue;
    }
    f.refs = std::move(*refs);
    functions.emplace(row[0].value_or(""), std::move(f));
  }
  return functions;
}

// What of the old shape `refs` names, in RetiredText's words.
std::vector<std::string> UsesOf(const lint::BodyReferences& refs, const plan::Plan& plan) {
  std::vector<std::string> uses;
  for (const auto& r : plan.retired) {
    if (!Breaks(r, refs) || !lint::NamesRelation(refs, plan.schema, r.table)) continue;
    if (r.column.empty() || refs.columns.count(r.column) > 0) {
      uses.push_back(RetiredText(r, plan.schema));
    }
  }
  std::set<std::string> versions(plan.retired_versions.begin(), plan.retired_versions.end());
  for (const auto& relation : refs.relations) {
    if (versions.count(relation.schema) > 0) {
      uses.push_back(OldVersionText(relation.schema + "." + relation.name));
    }
  }
  return uses;
}

// A trigger's function reads the row's columns by name (NEW.age) without
// naming the table: the trigger's table says which.
std::vector<std::string> TriggerUses(const lint::BodyReferences& refs, const std::string& table,
                                     const plan::Plan& plan) {
  std::vector<std::string> uses;
  for (const auto& r : plan.retired) {
    if (Breaks(r, refs) && r.table == table && !r.column.empty() &&
        refs.columns.count(r.column) > 0) {
      uses.push_back(RetiredText(r, plan.schema));
    }
  }
  return uses;
}

}  // namespace

Result<std::vector<Reader>> BodyReaders(backend::Connection& conn, const plan::Plan& plan) {
  if (plan.retired.empty() && plan.retired_versions.empty()) return std::vector<Reader>{};
  TANDEM_ASSIGN_OR_RETURN(auto functions, ReadFunctions(conn, plan));
  std::vector<Reader> readers;
  for (const auto& [oid, f] : functions) {
    for (auto& uses : UsesOf(f.refs, plan)) {
      readers.push_back({f.kind, f.name, std::move(uses), ActionFor(f.kind)});
    }
  }
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& r : plan.retired) {
    if (!r.column.empty()) tables.push_back(r.table);
  }
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult triggers,
                          conn.Query(kTriggersSql, {plan.schema, tables.dump()}));
  for (const auto& row : triggers.rows) {
    auto f = functions.find(row[2].value_or(""));
    if (f == functions.end()) continue;
    for (auto& uses : TriggerUses(f->second.refs, row[1].value_or(""), plan)) {
      readers.push_back({kTrigger, row[0].value_or(""), std::move(uses), ActionFor(kTrigger)});
    }
  }
  return readers;
}

}  // namespace tandem::readers::postgres
