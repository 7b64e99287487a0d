#include "plan/plan_json.h"

#include <nlohmann/json.hpp>

namespace tandem::plan {
namespace {

using nlohmann::json;

json StepsToJson(const std::vector<Step>& steps) {
  json out = json::array();
  for (const auto& s : steps) {
    out.push_back({{"description", s.description},
                   {"statements", s.statements},
                   {"tables", s.tables},
                   {"lock", LockLevelName(s.lock)},
                   {"lock_level", static_cast<int>(s.lock)},
                   {"concurrent", s.concurrent},
                   {"index_to_clean", s.index_to_clean},
                   {"check_foreign_keys", s.check_foreign_keys}});
  }
  return out;
}

std::vector<Step> StepsFromJson(const json& in) {
  std::vector<Step> steps;
  for (const auto& j : in) {
    Step s;
    s.description = j.at("description");
    s.statements = j.at("statements").get<std::vector<std::string>>();
    s.tables = j.at("tables").get<std::vector<std::string>>();
    s.lock = static_cast<LockLevel>(j.at("lock_level").get<int>());
    s.concurrent = j.at("concurrent");
    s.index_to_clean = j.at("index_to_clean");
    s.check_foreign_keys = j.value("check_foreign_keys", false);
    steps.push_back(std::move(s));
  }
  return steps;
}

json SyncsToJson(const std::vector<ColumnSync>& columns) {
  json out = json::array();
  for (const auto& c : columns) out.push_back({{"target", c.target}, {"expression", c.expression}});
  return out;
}

std::vector<ColumnSync> SyncsFromJson(const json& in) {
  std::vector<ColumnSync> out;
  for (const auto& j : in) out.push_back({j.at("target"), j.at("expression")});
  return out;
}

}  // namespace

std::string PlanToJson(const Plan& plan, int indent) {
  json syncs = json::array();
  for (const auto& s : plan.syncs) {
    syncs.push_back({{"table", s.table},
                     {"key_columns", s.key_columns},
                     {"up", SyncsToJson(s.up)},
                     {"down", SyncsToJson(s.down)},
                     {"backfill", s.backfill}});
  }
  json views = json::array();
  for (const auto& v : plan.views) {
    json columns = json::array();
    for (const auto& c : v.columns) columns.push_back({{"name", c.name}, {"physical", c.physical}});
    views.push_back({{"name", v.name}, {"physical_table", v.physical_table}, {"columns", columns}});
  }
  json checks = json::array();
  for (const auto& c : plan.checks) checks.push_back({{"where", c.where}, {"sql", c.sql}});
  json irreversible = json::array();
  for (const auto& i : plan.irreversible) {
    irreversible.push_back(
        {{"rule", i.rule}, {"where", i.where}, {"statement", i.statement}, {"what", i.what}});
  }
  json out = {{"schema", plan.schema},
              {"version_schema", plan.version_schema},
              {"state_schema", plan.state_schema},
              {"expand", StepsToJson(plan.expand)},
              {"after_backfill", StepsToJson(plan.after_backfill)},
              {"complete", StepsToJson(plan.complete)},
              {"rollback", StepsToJson(plan.rollback)},
              {"syncs", syncs},
              {"views", views},
              {"checks", checks},
              {"warnings", plan.warnings},
              {"irreversible", irreversible}};
  return out.dump(indent);
}

Result<Plan> PlanFromJson(const std::string& text) {
  try {
    json in = json::parse(text);
    Plan plan;
    plan.schema = in.at("schema");
    plan.version_schema = in.at("version_schema");
    plan.state_schema = in.at("state_schema");
    plan.expand = StepsFromJson(in.at("expand"));
    // Plans stored before validations ran after the backfill have none.
    if (in.contains("after_backfill")) plan.after_backfill = StepsFromJson(in["after_backfill"]);
    plan.complete = StepsFromJson(in.at("complete"));
    plan.rollback = StepsFromJson(in.at("rollback"));
    for (const auto& s : in.at("syncs")) {
      plan.syncs.push_back({s.at("table"), s.at("key_columns").get<std::vector<std::string>>(),
                            SyncsFromJson(s.at("up")), SyncsFromJson(s.at("down")),
                            s.at("backfill")});
    }
    for (const auto& v : in.at("views")) {
      View view{v.at("name"), v.at("physical_table"), {}};
      for (const auto& c : v.at("columns"))
        view.columns.push_back({c.at("name"), c.at("physical")});
      plan.views.push_back(std::move(view));
    }
    for (const auto& c : in.at("checks")) plan.checks.push_back({c.at("where"), c.at("sql")});
    plan.warnings = in.at("warnings").get<std::vector<std::string>>();
    // Plans stored before irreversible statements were recorded have none.
    for (const auto& i : in.value("irreversible", json::array())) {
      plan.irreversible.push_back({i.at("rule"), i.at("where"), i.at("statement"), i.at("what")});
    }
    return plan;
  } catch (const nlohmann::json::exception& e) {
    return Status::Internal(std::string("stored plan is unreadable: ") + e.what() +
                            "; the state schema may have been edited by hand");
  }
}

}  // namespace tandem::plan
