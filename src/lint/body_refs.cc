#include "lint/body_refs.h"

#include <nlohmann/json.hpp>

#include "lint/pg_parse.h"

namespace tandem::lint {
namespace {

using nlohmann::json;

std::string StringOf(const json& node) {
  if (!node.is_object() || !node.contains("String")) return "";
  return node["String"].value("sval", "");
}

// The names of the ResTargets in `targets` (INSERT's columns, UPDATE's SET).
void AddTargetNames(const json& targets, BodyReferences& out) {
  if (!targets.is_array()) return;
  for (const auto& target : targets) {
    if (target.contains("ResTarget")) out.columns.insert(target["ResTarget"].value("name", ""));
  }
}

void AddRelation(const json& range, BodyReferences& out) {
  if (range.is_object() && range.contains("relname")) {
    out.relations.push_back({range.value("schemaname", ""), range.value("relname", "")});
  }
}

// Statements whose target table is a field typed RangeVar, which
// libpg_query writes without the {"RangeVar": ...} wrapper of a node.
constexpr const char* kTargetedStatements[] = {"InsertStmt", "UpdateStmt", "DeleteStmt",
                                               "MergeStmt"};

// Calls visit(object) on every object of a JSON tree, parents first.
template <typename Visit>
void ForEachObject(const json& node, const Visit& visit) {
  if (node.is_array()) {
    for (const auto& child : node) ForEachObject(child, visit);
    return;
  }
  if (!node.is_object()) return;
  visit(node);
  for (const auto& [key, child] : node.items()) ForEachObject(child, visit);
}

// Walks a parse tree (libpg_query's JSON) for relations and column names.
void Collect(const json& tree, BodyReferences& out) {
  ForEachObject(tree, [&out](const json& node) {
    if (auto range = node.find("RangeVar"); range != node.end()) AddRelation(*range, out);
    for (const char* statement : kTargetedStatements) {
      if (auto target = node.find(statement);
          target != node.end() && target->contains("relation")) {
        AddRelation((*target)["relation"], out);
      }
    }
    if (auto ref = node.find("ColumnRef"); ref != node.end()) {
      const json& fields = (*ref)["fields"];
      if (fields.is_array() && !fields.empty()) {
        std::string last = StringOf(fields.back());
        if (!last.empty()) out.columns.insert(last);
      }
    }
    if (auto insert = node.find("InsertStmt"); insert != node.end()) {
      AddTargetNames(insert->value("cols", json::array()), out);
    }
    if (auto update = node.find("UpdateStmt"); update != node.end()) {
      AddTargetNames(update->value("targetList", json::array()), out);
    }
  });
}

// One PL/pgSQL expression or statement, kept as text in the PL/pgSQL tree:
// a statement (`SELECT ... INTO`, `UPDATE ...`), an expression (`NEW.age IS
// NULL`) or an assignment (`n := NEW.age + 1`).
void CollectEmbedded(const std::string& text, BodyReferences& out) {
  std::vector<std::string> attempts = {text, "SELECT " + text};
  size_t assign = text.find(":=");
  if (assign != std::string::npos) attempts.push_back("SELECT " + text.substr(assign + 2));
  for (const auto& sql : attempts) {
    auto parsed = ParseStatements(sql);
    if (parsed.ok()) {
      Collect(*parsed, out);
      return;
    }
  }
  out.unread.push_back(text);
}

// Walks a PL/pgSQL tree: its embedded SQL (each PLpgSQL_expr's query) and
// the record fields it reads (NEW.age is a PLpgSQL_recfield).
void CollectPlpgsql(const json& tree, BodyReferences& out) {
  ForEachObject(tree, [&out](const json& node) {
    if (auto expr = node.find("PLpgSQL_expr"); expr != node.end()) {
      std::string query = expr->value("query", "");
      if (!query.empty()) CollectEmbedded(query, out);
    }
    if (auto field = node.find("PLpgSQL_recfield"); field != node.end()) {
      std::string name = field->value("fieldname", "");
      if (!name.empty()) out.columns.insert(name);
    }
  });
}

// The option `name` of a CREATE FUNCTION statement (LANGUAGE, AS).
const json* OptionOf(const json& create, const std::string& name) {
  auto options = create.find("options");
  if (options == create.end() || !options->is_array()) return nullptr;
  for (const auto& option : *options) {
    const json& def = option.contains("DefElem") ? option["DefElem"] : option;
    if (def.value("defname", "") == name && def.contains("arg")) return &def["arg"];
  }
  return nullptr;
}

}  // namespace

Result<BodyReferences> StatementReferences(std::string_view sql) {
  TANDEM_ASSIGN_OR_RETURN(json tree, ParseStatements(sql));
  BodyReferences out;
  Collect(tree, out);
  return out;
}

Result<BodyReferences> FunctionBodyReferences(std::string_view definition) {
  TANDEM_ASSIGN_OR_RETURN(json tree, ParseStatements(definition));
  const json& stmts = tree.value("stmts", json::array());
  if (stmts.size() != 1 || !stmts[0]["stmt"].contains("CreateFunctionStmt")) {
    return Status::InvalidInput("not one CREATE FUNCTION or PROCEDURE statement");
  }
  const json& create = stmts[0]["stmt"]["CreateFunctionStmt"];
  BodyReferences out;
  if (create.contains("sql_body")) {  // BEGIN ATOMIC ... END: parsed with the statement
    Collect(create["sql_body"], out);
    out.parsed_by_server = true;
    return out;
  }
  const json* language = OptionOf(create, "language");
  std::string lang = language ? StringOf(*language) : "sql";
  if (lang == "plpgsql") {
    TANDEM_ASSIGN_OR_RETURN(json functions, ParsePlpgsql(definition));
    CollectPlpgsql(functions, out);
    return out;
  }
  const json* body = OptionOf(create, "as");
  if (lang != "sql" || body == nullptr || !body->contains("List")) return out;
  for (const auto& item : (*body)["List"].value("items", json::array())) {
    std::string text = StringOf(item);
    if (text.empty()) continue;
    auto parsed = ParseStatements(text);
    if (parsed.ok()) {
      Collect(*parsed, out);
    } else {
      out.unread.push_back(text);
    }
  }
  return out;
}

bool NamesRelation(const BodyReferences& refs, const std::string& schema, const std::string& name) {
  for (const auto& r : refs.relations) {
    if (r.name == name && (r.schema.empty() || r.schema == schema)) return true;
  }
  return false;
}

bool NamesSchema(const BodyReferences& refs, const std::string& schema) {
  for (const auto& r : refs.relations) {
    if (r.schema == schema) return true;
  }
  return false;
}

}  // namespace tandem::lint
