// create_table and create_index bodies: the parts whose fields depend on
// each other (a table's columns and constraints, an index's column forms).
#include <algorithm>
#include <map>

#include "common/strings.h"
#include "reader/definitions.h"
#include "reader/operation_readers.h"

namespace tandem::reader {
namespace {

constexpr std::string_view kIndexFieldKeys[] = {"column", "collate", "sort", "nulls", "opclass"};
constexpr std::string_view kIndexSettingKeys[] = {"collate", "sort", "nulls", "opclass"};
constexpr std::string_view kOpclassKeys[] = {"name", "params"};
constexpr std::string_view kSortOrders[] = {"ASC", "DESC"};
constexpr std::string_view kNullsOrders[] = {"FIRST", "LAST"};

std::string Indexed(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

void CheckDuplicateColumns(const MapReader& m, const std::vector<plan::ColumnDef>& columns) {
  std::map<std::string, size_t> first_index;
  for (size_t i = 0; i < columns.size() && m.ok(); ++i) {
    auto [it, inserted] = first_index.emplace(columns[i].name, i);
    if (inserted) continue;
    const plan::ColumnDef& first = columns[it->second];
    m.errors()->Report(columns[i].at.At("name"), Indexed(m.PathOf("columns"), i) + ".name",
                       "column \"" + columns[i].name +
                           "\" is defined twice in this table (first "
                           "at line " +
                           std::to_string(first.at.At("name").line) + "); rename or remove one");
  }
}

// Constraint columns must be columns of the table being created.
void CheckConstraintColumns(const MapReader& m, const plan::CreateTable& table) {
  std::vector<std::string> names;
  for (const auto& column : table.columns) names.push_back(column.name);
  for (size_t i = 0; i < table.constraints.size() && m.ok(); ++i) {
    const plan::ConstraintDef& constraint = table.constraints[i];
    for (size_t j = 0; j < constraint.columns.size(); ++j) {
      const std::string& column = constraint.columns[j];
      if (std::find(names.begin(), names.end(), column) != names.end()) continue;
      std::string field = "columns[" + std::to_string(j) + "]";
      m.errors()->Report(constraint.at.At(field), Indexed(m.PathOf("constraints"), i) + "." + field,
                         "\"" + column + "\" is not a column of table \"" + table.name +
                             "\" (its columns: " + Join(names, ", ") + "); fix the name");
      return;
    }
  }
}

// A primary key is declared once: by `pk: true` columns or by one constraint.
void CheckPrimaryKey(const MapReader& m, const plan::CreateTable& table) {
  bool on_columns = std::any_of(table.columns.begin(), table.columns.end(),
                                [](const plan::ColumnDef& c) { return c.pk; });
  size_t constraints_seen = 0;
  for (size_t i = 0; i < table.constraints.size() && m.ok(); ++i) {
    const plan::ConstraintDef& constraint = table.constraints[i];
    if (constraint.type != "primary_key") continue;
    ++constraints_seen;
    std::string path = Indexed(m.PathOf("constraints"), i);
    if (on_columns) {
      m.errors()->Report(constraint.at.At(), path,
                         "the primary key is set both by `pk: true` on columns and by this "
                         "constraint; configure it in one place only");
    } else if (constraints_seen > 1) {
      m.errors()->Report(constraint.at.At(), path,
                         "a table has one primary key, and this is the second primary_key "
                         "constraint; merge their columns into one");
    }
  }
}

void ReadOpclass(const MapReader& s, plan::IndexColumn* column) {
  YAML::Node value = s.Value("opclass");
  if (!value.IsDefined() || !s.ok()) return;
  if (!value.IsMap()) {
    column->opclass = s.String("opclass", Need::kRequired);
    return;
  }
  std::optional<MapReader> opclass = s.Map("opclass", kOpclassKeys);
  if (!opclass) return;
  column->opclass = opclass->String("name", Need::kRequired);
  column->opclass_params = opclass->StringList("params");
}

void ReadIndexSettings(const MapReader& s, plan::IndexColumn* column) {
  column->collate = s.String("collate");
  column->sort = s.Enum("sort", kSortOrders);
  column->nulls = s.Enum("nulls", kNullsOrders);
  ReadOpclass(s, column);
}

// `columns: [a, b]` or pgroll's older `columns: [{column: a, sort: DESC}]`.
std::vector<plan::IndexColumn> IndexColumnsFromList(const MapReader& m, const YAML::Node& list,
                                                    plan::Positions* at) {
  std::vector<plan::IndexColumn> columns;
  for (size_t i = 0; i < list.size() && m.ok(); ++i) {
    YAML::Node item = list[i];
    std::string path = Indexed(m.PathOf("columns"), i);
    plan::IndexColumn column;
    if (item.IsMap()) {
      MapReader field(m.errors(), item, path, kIndexFieldKeys);
      column.name = field.Identifier("column", Need::kRequired);
      ReadIndexSettings(field, &column);
      at->Set(Indexed("columns", i), field.PosOf("column"));
    } else if (item.IsScalar()) {
      column.name = item.Scalar();
      if (auto problem = IdentifierProblem(column.name)) FailAt(m.errors(), item, path, *problem);
      at->Set(Indexed("columns", i), PosOf(item));
    } else {
      FailAt(m.errors(), item, path, "expected a column name, got " + Describe(item));
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

// `columns: {a: {sort: DESC}, b: null}`, pgroll's current form.
std::vector<plan::IndexColumn> IndexColumnsFromMap(const MapReader& m, const YAML::Node& map,
                                                   plan::Positions* at) {
  std::vector<std::string_view> names;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar()) names.push_back(it->first.Scalar());
  }
  MapReader entries(m.errors(), map, m.PathOf("columns"), names);
  std::vector<plan::IndexColumn> columns;
  size_t i = 0;
  for (auto it = map.begin(); it != map.end() && entries.ok(); ++it, ++i) {
    plan::IndexColumn column;
    column.name = it->first.Scalar();
    at->Set(Indexed("columns", i), PosOf(it->first));
    if (auto problem = IdentifierProblem(column.name)) entries.Fail(column.name, *problem);
    if (!it->second.IsNull()) {
      MapReader settings(m.errors(), it->second, entries.PathOf(column.name), kIndexSettingKeys);
      ReadIndexSettings(settings, &column);
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

}  // namespace

plan::OperationBody ReadCreateTable(const MapReader& m) {
  plan::CreateTable op;
  op.name = m.Identifier("name", Need::kRequired);
  op.comment = m.NullableText("comment");
  op.columns = ReadColumnList(m, "columns");
  op.constraints = ReadConstraintList(m, "constraints");
  CheckDuplicateColumns(m, op.columns);
  CheckConstraintColumns(m, op);
  CheckPrimaryKey(m, op);
  return op;
}

std::vector<plan::IndexColumn> ReadIndexColumns(const MapReader& m, plan::Positions* at) {
  YAML::Node value = m.Value("columns");
  if (!m.ok()) return {};
  std::vector<plan::IndexColumn> columns;
  if (!value.IsDefined()) {
    m.FailMissing("columns");
  } else if (value.IsSequence()) {
    columns = IndexColumnsFromList(m, value, at);
  } else if (value.IsMap()) {
    columns = IndexColumnsFromMap(m, value, at);
  } else {
    m.Fail("columns",
           "expected a list of column names or a map of column name to settings, "
           "got " +
               Describe(value) + "; write e.g. `columns: [email]`");
  }
  if (m.ok() && columns.empty()) m.Fail("columns", "must not be empty; list the indexed columns");
  return m.ok() ? columns : std::vector<plan::IndexColumn>{};
}

}  // namespace tandem::reader
