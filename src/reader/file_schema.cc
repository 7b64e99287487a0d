#include "reader/file_schema.h"

#include <nlohmann/json.hpp>

#include "reader/operation_readers.h"
#include "reader/reader.h"
#include "reader/settings_sections.h"

namespace tandem::reader {
namespace {

using json = nlohmann::ordered_json;

constexpr char kDraft[] = "https://json-schema.org/draft/2020-12/schema";

// A JSON array of texts (a braced list alone could be read as a key and value).
json List(std::initializer_list<const char*> items) {
  json list = json::array();
  for (const char* item : items) list.push_back(item);
  return list;
}

json Ref(const std::string& name) { return {{"$ref", "#/$defs/" + name}}; }
json Text(const std::string& description) {
  return {{"type", "string"}, {"description", description}};
}
json Flag(const std::string& description) {
  return {{"type", "boolean"}, {"description", description}};
}
json Names() { return {{"type", "array"}, {"items", {{"type", "string"}}}}; }

// What tandem's duration parser takes: numbers with ms, s, m (min) or h,
// e.g. 500ms, 1.5s, 1h30m; 0 alone too.
json Duration() {
  return {
      {"description", "a duration such as 500ms, 5s, 10m, 2h or 1h30m"},
      {"anyOf",
       json::array({{{"type", "string"}, {"pattern", "^([0-9]+(\\.[0-9]+)?(ms|s|m|min|h))+$|^0$"}},
                    {{"const", 0}}})}};
}

json Count(int minimum) { return {{"type", "integer"}, {"minimum", minimum}}; }
json Number() { return {{"type", "number"}}; }
// A percentage, as a number or as text ("99.99").
json Percent() {
  return {{"anyOf", json::array({{{"type", "number"}, {"minimum", 0}, {"maximum", 100}},
                                 {{"type", "string"}}})}};
}

// An object of exactly `keys`, each described by `describe(key)`.
template <typename Describe>
json Closed(KeyList keys, Describe describe) {
  json properties = json::object();
  for (std::string_view key : keys) properties[std::string(key)] = describe(std::string(key));
  return {{"type", "object"}, {"properties", properties}, {"additionalProperties", false}};
}

// pgroll's column references (`references` of a column), checks and
// unique constraints, written out: nested shapes are checked by the reader.
json ColumnReference() {
  return {{"type", "object"},
          {"properties",
           {{"name", Text("constraint name")},
            {"table", Text("referenced table")},
            {"column", Text("referenced column")},
            {"on_delete", Ref("referential_action")},
            {"on_update", Ref("referential_action")},
            {"match_type", {{"enum", List({"SIMPLE", "FULL"})}}},
            {"deferrable", Flag("")},
            {"initially_deferred", Flag("")}}},
          {"required", List({"table", "column"})},
          {"additionalProperties", false}};
}

json TableReference() {
  return {{"type", "object"},
          {"properties",
           {{"name", Text("")},
            {"table", Text("referenced table")},
            {"columns", Names()},
            {"on_delete", Ref("referential_action")},
            {"on_delete_set_columns", Names()},
            {"on_update", Ref("referential_action")},
            {"match_type", {{"enum", List({"SIMPLE", "FULL"})}}}}},
          {"required", List({"table", "columns"})},
          {"additionalProperties", false}};
}

json Check() {
  return {{"type", "object"},
          {"properties",
           {{"name", Text("")},
            {"constraint", Text("SQL boolean expression")},
            {"no_inherit", Flag("")}}},
          {"required", List({"constraint"})},
          {"additionalProperties", false}};
}

json Column() {
  return {{"type", "object"},
          {"properties",
           {{"name", Text("column name")},
            {"type", Text("PostgreSQL type, e.g. text or bigint")},
            {"comment", {{"type", List({"string", "null"})}}},
            {"nullable", Flag("NULL allowed; pgroll's default is NOT NULL")},
            {"unique", Flag("")},
            {"pk", Flag("part of the primary key")},
            {"default", Ref("sql_value")},
            {"check", Check()},
            {"references", ColumnReference()},
            {"generated", {{"type", "object"}}}}},
          {"required", List({"name", "type"})},
          {"additionalProperties", false}};
}

json Constraint() {
  return {{"type", "object"},
          {"properties",
           {{"name", Text("")},
            {"type", Ref("constraint_type")},
            {"columns", Names()},
            {"check", Text("SQL boolean expression")},
            {"nulls_not_distinct", Flag("")},
            {"deferrable", Flag("")},
            {"initially_deferred", Flag("")},
            {"no_inherit", Flag("")},
            {"references", TableReference()},
            {"index_parameters", Ref("index_parameters")},
            {"exclude", {{"type", "object"}}}}},
          {"required", List({"name", "type"})},
          {"additionalProperties", false}};
}

// The value schema of `key` in operation `kind`'s body.
json OperationKey(std::string_view kind, const std::string& key) {
  if (key == "up") return Text("SQL computing the new version's value from the old row");
  if (key == "down") return Text("SQL computing the old version's value from the new row");
  if (key == "nullable" || key == "nulls_not_distinct" || key == "deferrable" ||
      key == "initially_deferred" || key == "no_inherit" || key == "onComplete") {
    return Flag("");
  }
  if (key == "default") return Ref("sql_value");
  if (key == "comment") return {{"type", List({"string", "null"})}};
  if (key == "index_parameters") return Ref("index_parameters");
  if (kind == "create_table" && key == "columns") return {{"type", "array"}, {"items", Column()}};
  if (kind == "create_table" && key == "constraints") {
    return {{"type", "array"}, {"items", Constraint()}};
  }
  if (kind == "add_column" && key == "column") return Column();
  if (kind == "create_index" && key == "columns") {
    return {{"anyOf", json::array({Names(), {{"type", "object"}}})}};
  }
  if (kind == "create_index" && key == "unique") return Flag("");
  if (kind == "create_index" && key == "method") {
    return {{"enum", List({"btree", "hash", "gist", "spgist", "gin", "brin"})}};
  }
  if (key == "columns") return Names();
  if (kind == "alter_column" && key == "check") return Check();
  if (kind == "alter_column" && key == "unique") {
    return {{"type", "object"}, {"properties", {{"name", Text("")}}}};
  }
  if (kind == "alter_column" && key == "references") return ColumnReference();
  if (kind == "create_constraint" && key == "references") return TableReference();
  if (kind == "create_constraint" && key == "type") return Ref("constraint_type");
  if (kind == "set_replica_identity" && key == "identity") {
    return {{"type", "object"},
            {"properties",
             {{"type", {{"enum", List({"full", "default", "nothing", "index"})}}},
              {"index", Text("")}}},
            {"required", List({"type"})}};
  }
  return Text("");
}

json Required(std::string_view kind) {
  if (kind == "rename_table") return List({"from", "to"});
  if (kind == "drop_table" || kind == "drop_index" || kind == "create_table") return List({"name"});
  if (kind == "create_index") return List({"name", "table", "columns"});
  if (kind == "rename_column" || kind == "rename_constraint") return List({"table", "from", "to"});
  if (kind == "create_constraint") return List({"table", "name", "type"});
  if (kind == "drop_constraint" || kind == "drop_multicolumn_constraint") return List({"table"});
  if (kind == "set_replica_identity") return List({"table", "identity"});
  if (kind == "sql") return List({"up"});
  return List({"table", "column"});  // add, alter and drop column
}

json Operations(json& defs) {
  json one_of = json::array();
  for (const OperationKeys& op : OperationKeyTable()) {
    std::string kind(op.kind);
    json body = Closed(op.keys, [&](const std::string& key) { return OperationKey(kind, key); });
    body["required"] = Required(kind);
    defs[kind] = body;
    one_of.push_back({{"type", "object"},
                      {"properties", {{kind, Ref(kind)}}},
                      {"required", json::array({kind})},
                      {"additionalProperties", false}});
  }
  return {{"type", "array"}, {"minItems", 1}, {"items", {{"oneOf", one_of}}}};
}

json BackfillKey(const std::string& key) {
  if (key == "batch_size") return Count(1);
  if (key == "concurrency") return {{"type", "integer"}, {"minimum", 1}, {"maximum", 64}};
  if (key == "vacuum_every" || key == "max_active_sessions" || key == "max_lock_waiters") {
    return Count(0);
  }
  if (key == "replicas") return Names();
  if (key == "throttle_query" || key == "window") return Text("");
  if (key == "throttle_above" || key == "max_rows_per_second") return Number();
  return Duration();
}

json Invariant() {
  return Closed(kInvariantKeys, [](const std::string&) { return Text(""); });
}

json Sections(json& properties) {
  properties["backfill"] = Closed(kBackfillKeys, BackfillKey);
  json verify = Closed(kVerifyKeys, [](const std::string& key) {
    if (key == "invariants") return json{{"type", "array"}, {"items", Invariant()}};
    return Percent();
  });
  properties["verify"] = {
      {"anyOf", json::array({verify, {{"type", "array"}, {"items", Invariant()}}})}};
  properties["lock"] = Closed(kLockKeys, [](const std::string& key) {
    return key == "retry_attempts" ? json{{"type", "integer"}, {"minimum", 0}, {"maximum", 1000}}
                                   : Duration();
  });
  properties["run"] = Closed(kRunKeys, [](const std::string&) { return Flag(""); });
  properties["metrics"] = Closed(kMetricsKeys, [](const std::string&) {
    return json{{"type", "string"}, {"pattern", "^[A-Za-z_][A-Za-z0-9_]*$"}};
  });
  properties["alerts"] = Closed(kAlertKeys, [](const std::string& key) {
    return key == "error_rate" ? Percent() : Duration();
  });
  json hooks = Closed(kHookKeys, [](const std::string& key) {
    if (key == "events") return Names();
    if (key == "timeout") return Duration();
    if (key == "url") return json{{"type", "string"}, {"pattern", "^http://"}};
    return Text("run with /bin/sh -c, the event as JSON on its stdin");
  });
  hooks["anyOf"] = json::array({{{"required", List({"command"})}}, {{"required", List({"url"})}}});
  properties["hooks"] = hooks;
  properties["lint"] = Closed(kLintKeys, [](const std::string&) { return Names(); });
  return properties;
}

}  // namespace

std::string MigrationFileSchema(int indent) {
  json defs = json::object();
  defs["sql_value"] = {{"type", List({"string", "number", "boolean", "null"})},
                       {"description", "an SQL expression; null for none"}};
  defs["referential_action"] = {
      {"enum", List({"NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT"})}};
  defs["constraint_type"] = {
      {"enum", List({"unique", "check", "foreign_key", "primary_key", "exclude"})}};
  defs["index_parameters"] = {
      {"type", "object"},
      {"properties",
       {{"tablespace", Text("")}, {"storage_parameters", Text("")}, {"include_columns", Names()}}}};
  json properties = json::object();
  for (std::string_view key : MigrationFileKeys()) properties[std::string(key)] = json::object();
  properties["$schema"] = Text("this schema's address, for editors; tandem ignores it");
  properties["name"] = Text("the migration's name; default: the file name without extension");
  properties["version_schema"] = Text("the version schema's suffix; default: the name");
  properties["operations"] = Operations(defs);
  Sections(properties);
  json schema = {{"$schema", kDraft},
                 {"title", "tandem migration file"},
                 {"description",
                  "pgroll's migration format, read unchanged, plus tandem's own top-level "
                  "sections (backfill, verify, lock, run, metrics, alerts, hooks)"},
                 {"type", "object"},
                 {"properties", properties},
                 {"required", List({"operations"})},
                 {"additionalProperties", false},
                 {"$defs", defs}};
  return schema.dump(indent);
}

}  // namespace tandem::reader
