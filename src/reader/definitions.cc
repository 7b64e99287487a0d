#include "reader/definitions.h"

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace tandem::reader {
namespace {

constexpr std::string_view kColumnKeys[] = {"name",       "type",     "comment", "nullable",
                                            "unique",     "pk",       "default", "check",
                                            "references", "generated"};
constexpr std::string_view kCheckKeys[] = {"name", "constraint", "no_inherit"};
constexpr std::string_view kUniqueKeys[] = {"name"};
constexpr std::string_view kColumnReferenceKeys[] = {
    "name",      "table",      "column",     "on_delete",
    "on_update", "match_type", "deferrable", "initially_deferred"};
constexpr std::string_view kTableReferenceKeys[] = {
    "name", "table", "columns", "on_delete", "on_delete_set_columns", "on_update", "match_type"};
constexpr std::string_view kGeneratedKeys[] = {"expression", "identity"};
constexpr std::string_view kIdentityKeys[] = {"user_specified_values", "sequence_options"};
constexpr std::string_view kUserSpecifiedValues[] = {"ALWAYS", "BY DEFAULT"};
constexpr std::string_view kConstraintKeys[] = {"name",
                                                "type",
                                                "columns",
                                                "check",
                                                "nulls_not_distinct",
                                                "deferrable",
                                                "initially_deferred",
                                                "no_inherit",
                                                "references",
                                                "index_parameters",
                                                "exclude"};
constexpr std::string_view kIndexParameterKeys[] = {"tablespace", "storage_parameters",
                                                    "include_columns"};
constexpr std::string_view kExcludeKeys[] = {"index_method", "elements", "predicate"};
constexpr std::string_view kForeignKeyActions[] = {"NO ACTION", "RESTRICT", "CASCADE", "SET NULL",
                                                   "SET DEFAULT"};
constexpr std::string_view kMatchTypes[] = {"SIMPLE", "FULL", "PARTIAL"};

// Which fields each constraint type needs and which it cannot take.
struct ConstraintShape {
  std::string_view type;
  std::vector<std::string_view> required;
  std::vector<std::string_view> not_applicable;
};
const ConstraintShape kConstraintShapes[] = {
    {"unique", {"columns"}, {"check", "references", "exclude", "no_inherit"}},
    {"check",
     {"check"},
     {"references", "exclude", "index_parameters", "nulls_not_distinct", "deferrable",
      "initially_deferred"}},
    {"primary_key",
     {"columns"},
     {"check", "references", "exclude", "no_inherit", "nulls_not_distinct"}},
    {"foreign_key",
     {"columns", "references"},
     {"check", "exclude", "index_parameters", "no_inherit", "nulls_not_distinct"}},
    {"exclude",
     {"exclude"},
     {"check", "references", "columns", "no_inherit", "nulls_not_distinct"}},
};

void ReadReferenceActions(const MapReader& m, plan::ForeignKeyRef* ref) {
  ref->on_delete = m.Enum("on_delete", kForeignKeyActions);
  ref->on_update = m.Enum("on_update", kForeignKeyActions);
  ref->match_type = m.Enum("match_type", kMatchTypes);
  // pgroll's schema lists it, but PostgreSQL rejects it at execution time.
  if (ref->match_type == "PARTIAL") {
    m.Fail("match_type", "PostgreSQL does not implement MATCH PARTIAL; use SIMPLE or FULL");
  }
}

std::optional<plan::Generated> ReadGenerated(const MapReader& parent) {
  std::optional<MapReader> m = parent.Map("generated", kGeneratedKeys);
  if (!m) return std::nullopt;
  plan::Generated generated;
  generated.expression = m->Expression("expression");
  if (std::optional<MapReader> identity = m->Map("identity", kIdentityKeys)) {
    generated.identity = plan::Identity{};
    generated.identity->user_specified_values =
        identity->Enum("user_specified_values", kUserSpecifiedValues);
    if (generated.identity->user_specified_values.empty()) {
      generated.identity->user_specified_values = "ALWAYS";
    }
    generated.identity->sequence_options = identity->String("sequence_options");
  }
  if (!generated.expression.empty() && generated.identity) {
    m->FailHere(
        "`expression` and `identity` cannot both be set; a column is either a stored "
        "generated column or an identity column");
  } else if (generated.expression.empty() && !generated.identity) {
    m->FailHere("give either `expression` (a stored generated column) or `identity`");
  }
  return generated;
}

// SQL keywords that read like a bare name but are valid defaults.
constexpr std::string_view kValueKeywords[] = {"true",
                                               "false",
                                               "null",
                                               "current_date",
                                               "current_time",
                                               "current_timestamp",
                                               "localtime",
                                               "localtimestamp",
                                               "current_user",
                                               "session_user",
                                               "user",
                                               "current_role",
                                               "current_catalog",
                                               "current_schema"};

bool IsBareName(std::string_view text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text[0]))) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

void CheckColumnRules(const MapReader& m, const plan::ColumnDef& column) {
  if (column.generated && m.Has("default")) {
    m.Fail("default",
           "a generated column cannot have a default; remove `default` or "
           "`generated`");
  }
}

plan::ColumnDef ReadColumnFields(const MapReader& m) {
  plan::ColumnDef column;
  m.RecordPositions(&column.at);
  column.name = m.Identifier("name", Need::kRequired);
  column.type = m.TypeName("type", Need::kRequired);
  column.comment = m.NullableText("comment");
  column.nullable = m.Bool("nullable", column.nullable);
  column.unique = m.Bool("unique");
  column.pk = m.Bool("pk");
  column.default_value = ReadDefault(m);
  column.check = ReadCheck(m, "check");
  column.references = ReadColumnReference(m, "references");
  column.generated = ReadGenerated(m);
  CheckColumnRules(m, column);
  return column;
}

std::optional<plan::ForeignKeyRef> ReadTableReference(const MapReader& parent) {
  std::optional<MapReader> m = parent.Map("references", kTableReferenceKeys);
  if (!m) return std::nullopt;
  plan::ForeignKeyRef ref;
  m->RecordPositions(&ref.at);
  ref.name = m->Identifier("name");
  ref.table = m->Identifier("table", Need::kRequired);
  ref.columns = m->IdentifierList("columns", Need::kRequired);
  ReadReferenceActions(*m, &ref);
  ref.on_delete_set_columns = m->IdentifierList("on_delete_set_columns");
  if (!ref.on_delete_set_columns.empty() && ref.on_delete != "SET NULL" &&
      ref.on_delete != "SET DEFAULT") {
    m->Fail("on_delete_set_columns",
            "only applies with `on_delete: SET NULL` or "
            "`on_delete: SET DEFAULT`; set on_delete or remove it");
  }
  return ref;
}

plan::IndexParameters ReadIndexParameters(const MapReader& parent) {
  plan::IndexParameters params;
  std::optional<MapReader> m = parent.Map("index_parameters", kIndexParameterKeys);
  if (!m) return params;
  params.tablespace = m->Identifier("tablespace");
  params.storage_parameters = m->String("storage_parameters");
  params.include_columns = m->IdentifierList("include_columns");
  return params;
}

std::optional<plan::ExcludeDef> ReadExclude(const MapReader& parent) {
  std::optional<MapReader> m = parent.Map("exclude", kExcludeKeys);
  if (!m) return std::nullopt;
  plan::ExcludeDef exclude;
  exclude.index_method = m->Identifier("index_method");
  exclude.elements = m->String("elements", Need::kRequired);
  exclude.predicate = m->Expression("predicate");
  return exclude;
}

void CheckConstraintShape(const MapReader& m, const plan::ConstraintDef& def) {
  auto shape = std::find_if(std::begin(kConstraintShapes), std::end(kConstraintShapes),
                            [&](const ConstraintShape& s) { return s.type == def.type; });
  if (shape == std::end(kConstraintShapes)) return;  // the type itself was reported
  std::string what = "a " + def.type + " constraint";
  for (std::string_view field : shape->required) {
    if (!m.Has(field)) m.FailMissing(field, "needed for " + what);
  }
  for (std::string_view field : shape->not_applicable) {
    if (m.Has(field)) m.Fail(field, "does not apply to " + what + "; remove it");
  }
  if (def.references && def.references->columns.size() != def.columns.size()) {
    m.Fail("references", "references " + std::to_string(def.references->columns.size()) +
                             " column(s) but the constraint has " +
                             std::to_string(def.columns.size()) +
                             "; give one referenced column per constrained column");
  }
}

}  // namespace

plan::NullableString ReadDefault(const MapReader& m) {
  plan::NullableString value = m.NullableText("default");
  if (!value.IsSet()) return value;
  std::string text = Trim(value.value);
  if (text.empty()) {
    m.Fail("default",
           "is empty; for an empty string write `default: \"''\"`, to drop a default "
           "write `default: null`");
  } else if (IsBareName(text) && std::find(std::begin(kValueKeywords), std::end(kValueKeywords),
                                           ToLower(text)) == std::end(kValueKeywords)) {
    // YAML strips the quotes of `default: 'active'`, leaving a column name.
    m.Fail("default", "reads as the column name " + Quoted(text) +
                          ", and a default cannot refer to a column; for the text " + Quoted(text) +
                          " keep SQL quotes inside YAML ones: `default: \"'" + text + "'\"`");
  }
  value.value = m.Expression("default", Need::kRequired);
  return value;
}

std::optional<plan::ColumnDef> ReadColumn(const MapReader& parent, std::string_view key,
                                          Need need) {
  std::optional<MapReader> m = parent.Map(key, kColumnKeys, need);
  if (!m) return std::nullopt;
  return ReadColumnFields(*m);
}

std::vector<plan::ColumnDef> ReadColumnList(const MapReader& parent, std::string_view key) {
  std::vector<plan::ColumnDef> columns;
  // pgroll requires the key, but a table may start without columns.
  if (!parent.Has(key)) parent.FailMissing(key);
  for (const MapReader& m : parent.MapList(key, kColumnKeys)) {
    columns.push_back(ReadColumnFields(m));
  }
  return columns;
}

std::optional<plan::CheckDef> ReadCheck(const MapReader& parent, std::string_view key) {
  std::optional<MapReader> m = parent.Map(key, kCheckKeys);
  if (!m) return std::nullopt;
  plan::CheckDef check;
  m->RecordPositions(&check.at);
  check.name = m->Identifier("name", Need::kRequired);
  check.constraint = m->Expression("constraint", Need::kRequired);
  check.no_inherit = m->Bool("no_inherit");
  return check;
}

std::optional<plan::UniqueDef> ReadUnique(const MapReader& parent, std::string_view key) {
  std::optional<MapReader> m = parent.Map(key, kUniqueKeys);
  if (!m) return std::nullopt;
  plan::UniqueDef unique;
  m->RecordPositions(&unique.at);
  unique.name = m->Identifier("name", Need::kRequired);
  return unique;
}

std::optional<plan::ForeignKeyRef> ReadColumnReference(const MapReader& parent,
                                                       std::string_view key) {
  std::optional<MapReader> m = parent.Map(key, kColumnReferenceKeys);
  if (!m) return std::nullopt;
  plan::ForeignKeyRef ref;
  m->RecordPositions(&ref.at);
  ref.name = m->Identifier("name", Need::kRequired);
  ref.table = m->Identifier("table", Need::kRequired);
  std::string column = m->Identifier("column", Need::kRequired);
  if (!column.empty()) ref.columns.push_back(column);
  ReadReferenceActions(*m, &ref);
  ref.deferrable = m->Bool("deferrable");
  ref.initially_deferred = m->Bool("initially_deferred");
  return ref;
}

std::vector<plan::ConstraintDef> ReadConstraintList(const MapReader& parent, std::string_view key) {
  std::vector<plan::ConstraintDef> constraints;
  for (const MapReader& m : parent.MapList(key, kConstraintKeys)) {
    constraints.push_back(ReadConstraintFields(m, kTableConstraintTypes));
  }
  return constraints;
}

plan::ConstraintDef ReadConstraintFields(const MapReader& m, KeyList types) {
  plan::ConstraintDef def;
  m.RecordPositions(&def.at);
  def.name = m.Identifier("name", Need::kRequired);
  def.type = m.Enum("type", types, Need::kRequired);
  def.columns = m.IdentifierList("columns");
  def.check = m.Expression("check");
  def.nulls_not_distinct = m.Bool("nulls_not_distinct");
  def.deferrable = m.Bool("deferrable");
  def.initially_deferred = m.Bool("initially_deferred");
  def.no_inherit = m.Bool("no_inherit");
  def.references = ReadTableReference(m);
  def.index_parameters = ReadIndexParameters(m);
  def.exclude = ReadExclude(m);
  if (def.initially_deferred && !def.deferrable && m.Has("initially_deferred")) {
    m.Fail("initially_deferred",
           "needs `deferrable: true`; a constraint that cannot be "
           "deferred cannot start deferred");
  }
  if (m.ok()) CheckConstraintShape(m, def);
  return def;
}

}  // namespace tandem::reader
