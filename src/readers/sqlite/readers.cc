#include "readers/sqlite/readers.h"

#include <set>

#include "common/strings.h"
#include "plan/sqlite/sqlite_planner.h"
#include "readers/findings.h"
#include "readers/sqlite/sql_tokens.h"

namespace tandem::readers::sqlite {
namespace {

constexpr char kObjectsSql[] =
    "SELECT type, name, tbl_name, sql FROM sqlite_schema "
    "WHERE type IN ('view', 'trigger') AND sql IS NOT NULL ORDER BY name";

constexpr char kOwnTriggerPrefix[] = "_tandem_";

struct SchemaObject {
  std::string type;  // view | trigger
  std::string name;
  std::string table;            // a trigger's table (a view's own name)
  std::set<std::string> names;  // identifiers of its SQL, lower case
};

// The suffixes (`__<version>`) of the version views of the new version and
// of the old ones: tandem's own.
std::vector<std::string> VersionSuffixes(const plan::Plan& plan) {
  std::vector<std::string> suffixes;
  for (const auto& v : plan.retired_versions)
    suffixes.push_back(ToLower(plan::sqlite::SqliteViewName("", v)));
  suffixes.push_back(ToLower(plan::sqlite::SqliteViewName("", plan.version_schema)));
  return suffixes;
}

bool IsVersionView(const std::string& name, const std::vector<std::string>& suffixes) {
  std::string lower = ToLower(name);
  for (const auto& s : suffixes) {
    if (EndsWith(lower, s)) return true;
  }
  return false;
}

bool IsOwn(const SchemaObject& o, const std::vector<std::string>& suffixes) {
  if (o.type == "view") return IsVersionView(o.name, suffixes);
  return StartsWith(o.name, kOwnTriggerPrefix) || IsVersionView(o.table, suffixes);
}

std::string NameOf(const SchemaObject& o, const std::string& schema) {
  return o.type == "view" ? schema + "." + o.name : o.name + " ON " + schema + "." + o.table;
}

// Whether objects naming `r` stop working. A replaced column keeps its
// name; SQLite rewrites the views and triggers naming a renamed column,
// unless complete rebuilds its table.
bool Breaks(const plan::Retired& r, const plan::Plan& plan) {
  if (r.change == plan::RetiredChange::kDropped) return true;
  return r.change == plan::RetiredChange::kRenamed && !r.column.empty() &&
         plan::sqlite::RebuildsTable(plan, r.table);
}

// What of the old shape `o` uses, in RetiredText's words.
std::vector<std::string> UsesOf(const SchemaObject& o, const plan::Plan& plan) {
  std::vector<std::string> uses;
  for (const auto& r : plan.retired) {
    if (!Breaks(r, plan)) continue;
    bool on_table = o.type == "trigger" && ToLower(o.table) == ToLower(r.table);
    if (r.column.empty()) {
      // A trigger on a dropped table goes with it.
      if (!on_table && o.names.count(ToLower(r.table)) > 0)
        uses.push_back(RetiredText(r, plan.schema));
    } else if ((on_table || o.names.count(ToLower(r.table)) > 0) &&
               o.names.count(ToLower(r.column)) > 0) {
      uses.push_back(RetiredText(r, plan.schema));
    }
  }
  for (const auto& name : o.names) {
    for (const auto& v : plan.retired_versions) {
      if (EndsWith(name, ToLower(plan::sqlite::SqliteViewName("", v)))) {
        uses.push_back(OldVersionText(plan.schema + "." + name));
      }
    }
  }
  return uses;
}

}  // namespace

Result<std::vector<Reader>> FindReaders(backend::Connection& conn, const plan::Plan& plan) {
  if (plan.retired.empty() && plan.retired_versions.empty()) return std::vector<Reader>{};
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result, conn.Query(kObjectsSql));
  std::vector<std::string> suffixes = VersionSuffixes(plan);
  std::vector<Reader> readers;
  for (const auto& row : result.rows) {
    SchemaObject o{row[0].value_or(""), row[1].value_or(""), row[2].value_or(""),
                   IdentifiersOf(row[3].value_or(""))};
    if (IsOwn(o, suffixes)) continue;
    const char* kind = o.type == "view" ? kView : kTrigger;
    for (auto& uses : UsesOf(o, plan)) {
      readers.push_back({kind, NameOf(o, plan.schema), std::move(uses), ActionFor(kind)});
    }
  }
  return Tidy(std::move(readers));
}

}  // namespace tandem::readers::sqlite
