// The live schema (<schema>_live): one view per table, over the version an
// application should use now, so that an application whose search_path
// starts with it follows the read switch without a redeploy.
//
//   start     creates it over the old version (the tables as they are);
//   switch    points it at the new version (the version schema's views);
//   --back    points it at the old version again;
//   complete  points it at the tables in their final shape;
//   rollback  points it at the old version, and drops it if start made it.
//
// Each move is one transaction: the views are dropped and created again
// (CREATE OR REPLACE VIEW cannot change a view's columns), and the
// dual-write functions are replaced with them, because they tell the
// versions apart by the session's current schema: while switched, a write
// through the live schema is the new version's and must get `down`, so
// the old version's columns stay current.
#include <algorithm>
#include <set>
#include <utility>

#include "common/strings.h"
#include "plan/planner_internal.h"

namespace tandem::plan {
namespace {

std::string CreateLiveViewSql(const std::string& live, const LiveView& view) {
  std::vector<std::string> columns;
  for (const auto& c : view.columns) columns.push_back(QuoteIdent(c));
  return "CREATE VIEW " + QualifiedName(live, view.name) + " AS SELECT " + Join(columns, ", ") +
         " FROM " + view.source;
}

}  // namespace

std::vector<LiveView> Planner::OldLiveViews() const {
  // The tables as they are once expand has run: a raw `up` may have
  // dropped some of them, or some of their columns.
  std::vector<LiveView> views;
  for (const auto& [name, table] : catalog_.tables) {
    if (raw_sql_dropped_tables_.count(name) > 0) continue;
    auto dropped = raw_sql_dropped_columns_.find(name);
    LiveView view{name, QualifiedName(options_.schema, name), {}};
    for (const auto& c : table.columns) {
      if (dropped == raw_sql_dropped_columns_.end() || dropped->second.count(c.name) == 0) {
        view.columns.push_back(c.name);
      }
    }
    views.push_back(view);
  }
  return views;
}

std::vector<LiveView> Planner::NewLiveViews() const {
  // Over the version schema's views rather than the tables: they hold the
  // column names and the defaults (ALTER VIEW ... SET DEFAULT) of the new
  // version, and a view over a simple view is still updatable.
  std::vector<LiveView> views;
  for (const auto& v : plan_.views) {
    LiveView view{v.name, QualifiedName(plan_.version_schema, v.name), {}};
    for (const auto& c : v.columns) view.columns.push_back(c.name);
    views.push_back(view);
  }
  return views;
}

std::vector<std::string> Planner::FinalColumnOrder(const VirtualTable& table) const {
  std::vector<std::string> physical;
  if (const CatalogTable* original = catalog_.FindTable(table.physical)) {
    for (const auto& c : original->columns) physical.push_back(c.name);
  }
  auto added = added_columns_.find(table.physical);
  if (added != added_columns_.end()) {
    std::vector<std::pair<int, std::string>> by_step;
    for (const auto& [column, step] : added->second) by_step.emplace_back(step, column);
    std::sort(by_step.begin(), by_step.end());
    for (const auto& [step, column] : by_step) physical.push_back(column);
  }
  std::vector<std::string> order;
  for (const auto& p : physical) {
    for (const auto& c : table.columns) {
      if (c.physical == p) order.push_back(c.name);
    }
  }
  // Columns of a created table, or that raw SQL added: as the table lists them.
  for (const auto& c : table.columns) {
    if (std::find(order.begin(), order.end(), c.name) == order.end()) order.push_back(c.name);
  }
  return order;
}

std::vector<LiveView> Planner::FinalLiveViews() const {
  // Over the tables, not the version schema, which the next migration's
  // complete drops; in the tables' column order, so that the next
  // migration's rollback puts back these very views.
  std::vector<LiveView> views;
  for (const auto& [name, table] : virtual_schema_.tables()) {
    views.push_back({name, QualifiedName(options_.schema, name), FinalColumnOrder(table)});
  }
  return views;
}

bool Planner::LiveSchemaExisted() const {
  return catalog_.schemas.count(LiveSchemaName(options_.schema)) > 0;
}

std::vector<std::string> Planner::DropLiveViewsSql() const {
  std::set<std::string> names;
  for (const auto& view : OldLiveViews()) names.insert(view.name);
  for (const auto& view : NewLiveViews()) names.insert(view.name);
  std::vector<std::string> sql;
  for (const auto& name : names) {
    sql.push_back("DROP VIEW IF EXISTS " + QualifiedName(plan_.live_schema, name));
  }
  return sql;
}

Step Planner::PointLiveStep(const std::string& description,
                            const std::vector<LiveView>& views) const {
  Step step;
  step.description = description;
  step.statements = {"CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(plan_.live_schema)};
  for (auto& s : DropLiveViewsSql()) step.statements.push_back(s);
  for (const auto& view : views) {
    step.statements.push_back(CreateLiveViewSql(plan_.live_schema, view));
  }
  // The views' own ACCESS EXCLUSIVE locks: a session reading through the
  // live schema holds the step back for at most one lock timeout a try.
  step.lock = LockLevel::kAccessExclusive;
  return step;
}

std::vector<std::string> Planner::CountLiveAsNewSql(bool live_is_new) const {
  std::vector<std::string> new_version = {plan_.version_schema};
  if (live_is_new) new_version.push_back(plan_.live_schema);
  std::vector<std::string> sql;
  for (const auto& sync : plan_.syncs) {
    auto required = required_columns_.find(sync.table);
    sql.push_back(DualWriteFunctionSql(
        plan_, sync,
        required == required_columns_.end() ? std::vector<RequiredColumn>() : required->second,
        new_version));
  }
  return sql;
}

Step Planner::DropLiveSchemaStep() const {
  Step step;
  step.description = "drop live schema " + plan_.live_schema;
  step.statements = DropLiveViewsSql();
  step.statements.push_back("DROP SCHEMA IF EXISTS " + QuoteIdent(plan_.live_schema));
  step.lock = LockLevel::kAccessExclusive;
  step.undoes_expand_step = live_schema_step_;
  return step;
}

void Planner::FinishLiveSchema() {
  plan_.live_schema = LiveSchemaName(options_.schema);
  std::string old_version = "point live schema " + plan_.live_schema + " at the old version";
  // Expand's trigger steps made the functions count only the version
  // schema as new, which is right while the live schema shows the old one.
  plan_.expand.push_back(PointLiveStep(old_version, OldLiveViews()));
  live_schema_step_ = LastExpandStep();
  Step to_new = PointLiveStep("switch: point live schema " + plan_.live_schema +
                                  " at the new version " + plan_.version_schema,
                              NewLiveViews());
  for (auto& s : CountLiveAsNewSql(true)) to_new.statements.push_back(s);
  plan_.switch_to_new = {to_new};
  Step back = PointLiveStep("switch back: " + old_version, OldLiveViews());
  for (auto& s : CountLiveAsNewSql(false)) back.statements.push_back(s);
  plan_.switch_back = {back};
}

}  // namespace tandem::plan
