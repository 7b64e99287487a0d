#include "plan/plan_json.h"

#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "common/strings.h"

namespace tandem::plan {
namespace {

using nlohmann::json;

// Around this many characters of each text are shown where two plans differ.
constexpr size_t kExcerpt = 60;

constexpr char kPlainStep[] = "plain";
constexpr char kSwitchStep[] = "switch";
constexpr char kCopyRowsStep[] = "copy_rows";
constexpr char kDrainTableStep[] = "drain_table";

const char* StepKindName(StepKind kind) {
  switch (kind) {
    case StepKind::kSwitch:
      return kSwitchStep;
    case StepKind::kCopyRows:
      return kCopyRowsStep;
    case StepKind::kDrainTable:
      return kDrainTableStep;
    case StepKind::kPlain:
      break;
  }
  return kPlainStep;
}

json CopyToJson(const std::optional<TableCopy>& copy) {
  if (!copy) return nullptr;
  return {{"source", copy->source},
          {"target", copy->target},
          {"prepare", copy->prepare},
          {"copy", copy->copy}};
}

std::optional<TableCopy> CopyFromJson(const json& step) {
  if (!step.contains("copy") || step["copy"].is_null()) return std::nullopt;
  const json& j = step["copy"];
  TableCopy copy;
  copy.source = j.at("source");
  copy.target = j.at("target");
  copy.prepare = j.at("prepare").get<std::vector<std::string>>();
  copy.copy = j.at("copy");
  return copy;
}

// Plans stored before steps had a kind marked the switch only by the start
// of its description.
StepKind StepKindOf(const json& step) {
  if (!step.contains("kind")) {
    std::string description = step.at("description");
    return description.rfind("switch:", 0) == 0 ? StepKind::kSwitch : StepKind::kPlain;
  }
  std::string kind = step["kind"];
  if (kind == kSwitchStep) return StepKind::kSwitch;
  if (kind == kPlainStep) return StepKind::kPlain;
  if (kind == kCopyRowsStep) return StepKind::kCopyRows;
  if (kind == kDrainTableStep) return StepKind::kDrainTable;
  throw json::other_error::create(501, "unknown step kind \"" + kind + "\"", &step);
}

json StepsToJson(const std::vector<Step>& steps) {
  json out = json::array();
  for (const auto& s : steps) {
    out.push_back({{"description", s.description},
                   {"kind", StepKindName(s.kind)},
                   {"statements", s.statements},
                   {"tables", s.tables},
                   {"lock", LockLevelName(s.lock)},
                   {"lock_level", static_cast<int>(s.lock)},
                   {"concurrent", s.concurrent},
                   {"index_to_clean", s.index_to_clean},
                   {"check_foreign_keys", s.check_foreign_keys},
                   {"copy", CopyToJson(s.copy)},
                   {"undoes_expand_step", s.undoes_expand_step}});
  }
  return out;
}

std::vector<Step> StepsFromJson(const json& in) {
  std::vector<Step> steps;
  for (const auto& j : in) {
    Step s;
    s.description = j.at("description");
    s.kind = StepKindOf(j);
    s.statements = j.at("statements").get<std::vector<std::string>>();
    s.tables = j.at("tables").get<std::vector<std::string>>();
    s.lock = static_cast<LockLevel>(j.at("lock_level").get<int>());
    s.concurrent = j.at("concurrent");
    s.index_to_clean = j.at("index_to_clean");
    s.check_foreign_keys = j.value("check_foreign_keys", false);
    s.copy = CopyFromJson(j);
    s.undoes_expand_step = j.value("undoes_expand_step", -1);
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

RetiredChange RetiredChangeOf(const json& name) {
  for (auto change : {RetiredChange::kDropped, RetiredChange::kReplaced, RetiredChange::kRenamed}) {
    if (name == RetiredChangeName(change)) return change;
  }
  throw json::other_error::create(501, "unknown retired change " + name.dump(), &name);
}

// The part of `text` around `at`, for a message.
std::string Excerpt(const std::string& text, size_t at) {
  size_t begin = at > kExcerpt / 2 ? at - kExcerpt / 2 : 0;
  std::string excerpt = text.substr(begin, kExcerpt);
  for (char& c : excerpt) {
    if (c == '\n') c = ' ';
  }
  return (begin > 0 ? "..." : "") + excerpt + (begin + kExcerpt < text.size() ? "..." : "");
}

std::string Describe(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// " (expand step "...")" when `path` is inside a step of `plan`.
std::string StepOf(const json& plan, const std::string& path) {
  std::vector<std::string> parts = Split(path, '/');  // "", phase, index, ...
  if (parts.size() < 3 || !plan.contains(parts[1]) || !plan[parts[1]].is_array()) return "";
  const json& steps = plan[parts[1]];
  bool numeric = !parts[2].empty() && parts[2].find_first_not_of("0123456789") == std::string::npos;
  size_t index = numeric ? std::stoul(parts[2]) : steps.size();
  if (index >= steps.size() || !steps[index].contains("description")) return "";
  return " (" + parts[1] + " step \"" + Describe(steps[index]["description"]) + "\")";
}

}  // namespace

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CatalogColumn, name, type, not_null, default_expr, generated,
                                   comment)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CatalogConstraint, name, type, columns, validated, definition)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CatalogIndex, name, unique, primary, valid, columns, definition)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CatalogTable, name, columns, constraints, indexes, primary_key,
                                   replica_identity, replica_identity_index, comment, definition,
                                   triggers, estimated_rows, attribute_numbers_used)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Catalog, schema, tables, relation_names, schemas, server_version)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PlanInputs, catalog, previous_version_schemas)

std::string StepsJsonText(const std::vector<Step>& steps) { return StepsToJson(steps).dump(); }

std::string PlanToJson(const Plan& plan, int indent) {
  json syncs = json::array();
  for (const auto& s : plan.syncs) {
    syncs.push_back({{"table", s.table},
                     {"key_columns", s.key_columns},
                     {"up", SyncsToJson(s.up)},
                     {"down", SyncsToJson(s.down)},
                     {"backfill", s.backfill},
                     {"triggers", s.triggers}});
  }
  json views = json::array();
  for (const auto& v : plan.views) {
    json columns = json::array();
    for (const auto& c : v.columns) columns.push_back({{"name", c.name}, {"physical", c.physical}});
    views.push_back({{"name", v.name},
                     {"physical_table", v.physical_table},
                     {"columns", columns},
                     {"access", v.access}});
  }
  json checks = json::array();
  for (const auto& c : plan.checks) checks.push_back({{"where", c.where}, {"sql", c.sql}});
  json irreversible = json::array();
  for (const auto& i : plan.irreversible) {
    irreversible.push_back(
        {{"rule", i.rule}, {"where", i.where}, {"statement", i.statement}, {"what", i.what}});
  }
  json retired = json::array();
  for (const auto& r : plan.retired) {
    retired.push_back({{"table", r.table},
                       {"column", r.column},
                       {"change", RetiredChangeName(r.change)},
                       {"renamed_to", r.renamed_to}});
  }
  json out = {{"schema", plan.schema},
              {"version_schema", plan.version_schema},
              {"state_schema", plan.state_schema},
              {"expand", StepsToJson(plan.expand)},
              {"after_backfill", StepsToJson(plan.after_backfill)},
              {"complete", StepsToJson(plan.complete)},
              {"rollback", StepsToJson(plan.rollback)},
              {"live_schema", plan.live_schema},
              {"switch_to_new", StepsToJson(plan.switch_to_new)},
              {"switch_back", StepsToJson(plan.switch_back)},
              {"syncs", syncs},
              {"views", views},
              {"checks", checks},
              {"warnings", plan.warnings},
              {"irreversible", irreversible},
              {"retired", retired},
              {"retired_versions", plan.retired_versions}};
  if (plan.inputs) out["inputs"] = *plan.inputs;
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
    // Plans stored before the read switch have no live schema.
    plan.live_schema = in.value("live_schema", "");
    if (in.contains("switch_to_new")) plan.switch_to_new = StepsFromJson(in["switch_to_new"]);
    if (in.contains("switch_back")) plan.switch_back = StepsFromJson(in["switch_back"]);
    for (const auto& s : in.at("syncs")) {
      plan.syncs.push_back({s.at("table"), s.at("key_columns").get<std::vector<std::string>>(),
                            SyncsFromJson(s.at("up")), SyncsFromJson(s.at("down")),
                            s.at("backfill"),
                            // Plans stored before triggers were named have none.
                            s.value("triggers", std::vector<std::string>())});
    }
    for (const auto& v : in.at("views")) {
      // Plans stored before the access was recorded have none.
      View view{v.at("name"), v.at("physical_table"), {}, v.value("access", "")};
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
    // Plans stored before what complete retires was recorded have none;
    // the runner derives it again from the stored file.
    for (const auto& r : in.value("retired", json::array())) {
      plan.retired.push_back(
          {r.at("table"), r.at("column"), RetiredChangeOf(r.at("change")), r.at("renamed_to")});
    }
    plan.retired_versions =
        in.value("retired_versions", json::array()).get<std::vector<std::string>>();
    if (in.contains("inputs")) plan.inputs = in.at("inputs").get<PlanInputs>();
    return plan;
  } catch (const nlohmann::json::exception& e) {
    return Status::Internal(std::string("stored plan is unreadable: ") + e.what() +
                            "; the state schema may have been edited by hand");
  }
}

namespace {

// The plan as JSON, with only what runs. The expression checks, warnings
// and irreversible statements name the file's path, which the stored copy
// has not kept; none of them runs. Nor does what complete retires, which
// plans stored before it have not kept. Nor do the steps' descriptions,
// whose wording may change between tandem releases: a migration started
// with one release resumes with the next.
json WhatRuns(const Plan& plan) {
  json j = json::parse(PlanToJson(plan));
  for (const char* key :
       {"inputs", "checks", "warnings", "irreversible", "retired", "retired_versions"}) {
    j.erase(key);
  }
  for (auto& [key, value] : j.items()) {
    if (!value.is_array()) continue;
    for (json& step : value) {
      if (step.is_object() && step.contains("statements")) step.erase("description");
    }
  }
  return j;
}

}  // namespace

std::string PlanChecksum(const Plan& plan) { return Sha256Hex(WhatRuns(plan).dump()); }

std::string BoundChecksum(const Plan& plan, const Migration& migration) {
  return Sha256Hex(PlanChecksum(plan) + "\n" + migration.document_checksum);
}

std::string FirstDifference(const Plan& stored, const Plan& derived) {
  json a = WhatRuns(stored);
  json b = WhatRuns(derived);
  json patch = json::diff(a, b);
  if (patch.empty()) return "";
  json::json_pointer path(patch[0].at("path").get<std::string>());
  std::string was = a.contains(path) ? Describe(a.at(path)) : "(nothing)";
  std::string is = b.contains(path) ? Describe(b.at(path)) : "(nothing)";
  size_t at = 0;
  while (at < was.size() && at < is.size() && was[at] == is[at]) ++at;
  return path.to_string() + StepOf(json::parse(PlanToJson(stored)), path.to_string()) +
         ": stored \"" + Excerpt(was, at) + "\", from the file \"" + Excerpt(is, at) + "\"";
}

}  // namespace tandem::plan
