#include "lint/raw_sql.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "lint/pg_parse.h"

namespace tandem::lint {
namespace {

using nlohmann::json;

std::string Sval(const json& node) { return node.at("String").at("sval").get<std::string>(); }

// A name list (["s", "t"]) as SQL: "s"."t".
std::string QuotedNames(const json& names) {
  std::vector<std::string> parts;
  for (const auto& n : names) parts.push_back(QuoteIdent(Sval(n)));
  return Join(parts, ".");
}

// A RangeVar as written: "s"."t" or "t".
std::string QuotedRelation(const json& range) {
  std::string name = QuoteIdent(range.at("relname").get<std::string>());
  if (!range.contains("schemaname")) return name;
  return QuoteIdent(range["schemaname"].get<std::string>()) + "." + name;
}

// A TypeName as SQL, e.g. pg_catalog.varchar(3)[]; "" for %TYPE references,
// which name no type of their own.
std::string TypeText(const json& type, bool with_modifiers) {
  if (type.value("pct_type", false)) return "";
  std::vector<std::string> parts;
  for (const auto& n : type.at("names")) parts.push_back(Sval(n));
  std::string text = Join(parts, ".");
  if (with_modifiers && type.contains("typmods")) {
    std::vector<std::string> mods;
    for (const auto& m : type["typmods"]) {
      const json& value = m.at("A_Const");
      if (!value.contains("ival")) return "";
      mods.push_back(std::to_string(value["ival"].value("ival", 0)));
    }
    text += "(" + Join(mods, ",") + ")";
  }
  for (size_t i = 0; i < type.value("arrayBounds", json::array()).size(); ++i) text += "[]";
  return text;
}

NewColumn ColumnOf(const json& def) {
  NewColumn column{def.at("colname").get<std::string>(), TypeText(def.at("typeName"), true)};
  for (const auto& c : def.value("constraints", json::array())) {
    std::string type = c.at("Constraint").at("contype").get<std::string>();
    column.not_null = column.not_null || type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY";
    column.primary_key = column.primary_key || type == "CONSTR_PRIMARY";
  }
  return column;
}

void MarkCreates(RawStatement& statement, std::string undo) {
  statement.effect = Effect::kCreates;
  statement.undo = std::move(undo);
}

void MarkDestroys(RawStatement& statement, const char* rule, std::string what) {
  statement.effect = Effect::kDestroys;
  statement.rule = rule;
  statement.what = std::move(what);
}

void DescribeCreateTable(const json& create, RawStatement& out) {
  const json& relation = create.at("relation");
  out.creates_table = true;
  out.schema = relation.value("schemaname", "");
  out.table = relation.at("relname").get<std::string>();
  out.columns_known = !create.contains("inhRelations") && !create.contains("partbound") &&
                      !create.contains("ofTypename");
  for (const auto& element : create.value("tableElts", json::array())) {
    if (element.contains("ColumnDef")) {
      out.columns.push_back(ColumnOf(element["ColumnDef"]));
    } else if (element.contains("TableLikeClause")) {
      out.columns_known = false;
    } else if (element.contains("Constraint") &&
               element["Constraint"].value("contype", "") == "CONSTR_PRIMARY") {
      for (const auto& key : element["Constraint"].value("keys", json::array())) {
        for (auto& column : out.columns) {
          if (column.name != Sval(key)) continue;
          column.primary_key = true;
          column.not_null = true;
        }
      }
    }
  }
  // IF NOT EXISTS may have found the table there already: not ours to drop.
  if (!create.value("if_not_exists", false))
    MarkCreates(out, "DROP TABLE " + QuotedRelation(relation));
}

// ALTER TABLE: only ADD COLUMNs can be undone; any DROP destroys.
void DescribeAlterTable(const json& alter, RawStatement& out) {
  if (alter.value("objtype", "") != "OBJECT_TABLE") return;
  const json& relation = alter.at("relation");
  out.schema = relation.value("schemaname", "");
  out.table = relation.at("relname").get<std::string>();
  std::vector<std::string> drops;
  bool only_adds = true;
  for (const auto& cmd : alter.at("cmds")) {
    const json& c = cmd.at("AlterTableCmd");
    std::string subtype = c.value("subtype", "");
    if (subtype == "AT_DropColumn" || subtype == "AT_DropConstraint") {
      bool column = subtype == "AT_DropColumn";
      if (column) out.dropped_columns.push_back(c.value("name", ""));
      MarkDestroys(out, kRuleDropsObject,
                   std::string("drops ") + (column ? "column" : "constraint") + " \"" +
                       c.value("name", "") + "\" of table \"" + out.table + "\"");
    }
    if (subtype != "AT_AddColumn" || c.value("missing_ok", false)) {
      only_adds = false;
      continue;
    }
    NewColumn column = ColumnOf(c.at("def").at("ColumnDef"));
    drops.push_back("DROP COLUMN " + QuoteIdent(column.name));
    out.columns.push_back(std::move(column));
  }
  if (only_adds && !drops.empty()) {
    MarkCreates(out, "ALTER TABLE " + QuotedRelation(relation) + " " + Join(drops, ", "));
  }
}

// DROP FUNCTION f(argument types): the types of the IN, INOUT and VARIADIC
// parameters identify it.
std::string DropFunction(const json& create) {
  std::vector<std::string> types;
  for (const auto& p : create.value("parameters", json::array())) {
    const json& parameter = p.at("FunctionParameter");
    std::string mode = parameter.value("mode", "");
    if (mode == "FUNC_PARAM_OUT" || mode == "FUNC_PARAM_TABLE") continue;
    std::string type = TypeText(parameter.at("argType"), false);
    if (type.empty()) return "";
    types.push_back(type);
  }
  std::string kind = create.value("is_procedure", false) ? "PROCEDURE " : "FUNCTION ";
  return "DROP " + kind + QuotedNames(create.at("funcname")) + "(" + Join(types, ", ") + ")";
}

// The object kind of a DROP, in words: OBJECT_MATVIEW -> "materialized view".
std::string ObjectKind(const std::string& remove_type) {
  static const std::map<std::string, std::string> kNames = {
      {"OBJECT_MATVIEW", "materialized view"}, {"OBJECT_FOREIGN_TABLE", "foreign table"}};
  auto it = kNames.find(remove_type);
  if (it != kNames.end()) return it->second;
  std::string kind = ToLower(remove_type.substr(remove_type.find('_') + 1));
  for (auto& ch : kind) ch = ch == '_' ? ' ' : ch;
  return kind;
}

// Statements that create one object and nothing else, with the DROP that
// removes it. OR REPLACE and IF NOT EXISTS may have met an object that
// was there before, which rollback must not remove.
void DescribeCreate(const std::string& kind, const json& node, RawStatement& out) {
  if (node.value("replace", false) || node.value("if_not_exists", false)) return;
  if (kind == "CreateEnumStmt" || kind == "CreateRangeStmt") {
    MarkCreates(out, "DROP TYPE " + QuotedNames(node.at("typeName")));
  } else if (kind == "CompositeTypeStmt") {
    MarkCreates(out, "DROP TYPE " + QuotedRelation(node.at("typevar")));
  } else if (kind == "CreateDomainStmt") {
    MarkCreates(out, "DROP DOMAIN " + QuotedNames(node.at("domainname")));
  } else if (kind == "CreateSeqStmt") {
    MarkCreates(out, "DROP SEQUENCE " + QuotedRelation(node.at("sequence")));
  } else if (kind == "ViewStmt") {
    MarkCreates(out, "DROP VIEW " + QuotedRelation(node.at("view")));
  } else if (kind == "CreateTableAsStmt") {
    bool matview = node.value("objtype", "") == "OBJECT_MATVIEW";
    out.creates_table = !matview;
    out.columns_known = false;
    out.table = node.at("into").at("rel").at("relname").get<std::string>();
    out.schema = node.at("into").at("rel").value("schemaname", "");
    MarkCreates(out, std::string(matview ? "DROP MATERIALIZED VIEW " : "DROP TABLE ") +
                         QuotedRelation(node.at("into").at("rel")));
  } else if (kind == "IndexStmt" && node.contains("idxname")) {
    std::string schema = node.at("relation").value("schemaname", "");
    std::string name = QuoteIdent(node["idxname"].get<std::string>());
    MarkCreates(out, "DROP INDEX " + (schema.empty() ? name : QuoteIdent(schema) + "." + name));
  } else if (kind == "CreateFunctionStmt") {
    std::string drop = DropFunction(node);
    if (!drop.empty()) MarkCreates(out, drop);
  } else if (kind == "CreateTrigStmt") {
    MarkCreates(out, "DROP TRIGGER " + QuoteIdent(node.at("trigname").get<std::string>()) + " ON " +
                         QuotedRelation(node.at("relation")));
  } else if (kind == "CreateSchemaStmt" && !node.contains("schemaElts")) {
    MarkCreates(out, "DROP SCHEMA " + QuoteIdent(node.at("schemaname").get<std::string>()));
  } else if (kind == "CreateExtensionStmt") {
    MarkCreates(out, "DROP EXTENSION " + QuoteIdent(node.at("extname").get<std::string>()));
  }
}

void Describe(const std::string& kind, const json& node, RawStatement& out) {
  if (kind == "CreateStmt") {
    DescribeCreateTable(node, out);
  } else if (kind == "AlterTableStmt") {
    DescribeAlterTable(node, out);
  } else if (kind == "DropStmt") {
    MarkDestroys(out, kRuleDropsObject, "drops a " + ObjectKind(node.value("removeType", "")));
    if (node.value("removeType", "") != "OBJECT_TABLE") return;
    for (const auto& object : node.at("objects")) {
      const json& names = object.at("List").at("items");
      std::string schema = names.size() > 1 ? Sval(names[names.size() - 2]) : "";
      out.dropped_tables.push_back({schema, Sval(names.back())});
    }
  } else if (kind == "TruncateStmt") {
    MarkDestroys(out, kRuleRemovesRows, "removes every row of a table");
  } else if (kind == "DeleteStmt") {
    MarkDestroys(out, kRuleRemovesRows,
                 "deletes rows of table \"" + node.at("relation").value("relname", "") + "\"");
  } else if (kind == "UpdateStmt") {
    MarkDestroys(out, kRuleOverwritesRows,
                 "overwrites rows of table \"" + node.at("relation").value("relname", "") + "\"");
  } else {
    DescribeCreate(kind, node, out);
  }
}

}  // namespace

Result<std::vector<RawStatement>> DescribeStatements(std::string_view sql) {
  TANDEM_ASSIGN_OR_RETURN(json tree, ParseStatements(sql));
  std::vector<RawStatement> out;
  // Line breaks are counted on from the previous statement's start, so
  // that a file of many statements is read once.
  size_t counted_to = 0;
  int line = 0;
  try {
    for (const auto& s : tree.value("stmts", json::array())) {
      size_t start = s.value("stmt_location", 0);
      size_t length = s.value("stmt_len", 0);
      RawStatement statement;
      statement.text = Trim(sql.substr(start, length == 0 ? std::string_view::npos : length));
      size_t first = std::min(sql.find_first_not_of(" \t\r\n", start), sql.size());
      if (first < counted_to) counted_to = line = 0;
      line += static_cast<int>(std::count(sql.begin() + counted_to, sql.begin() + first, '\n'));
      counted_to = first;
      statement.line = line;
      auto body = s.at("stmt").items().begin();
      Describe(body.key(), body.value(), statement);
      out.push_back(std::move(statement));
    }
  } catch (const json::exception& e) {
    return Status::Internal(std::string("unexpected parse tree of raw SQL: ") + e.what());
  }
  return out;
}

std::vector<std::string> UndoOf(const std::vector<RawStatement>& statements) {
  std::vector<std::string> undo;
  for (auto it = statements.rbegin(); it != statements.rend(); ++it) {
    if (it->effect != Effect::kCreates) return {};
    undo.push_back(it->undo);
  }
  return undo;
}

}  // namespace tandem::lint
