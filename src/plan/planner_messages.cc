#include "plan/planner_messages.h"

#include <vector>

#include "common/strings.h"

namespace tandem::plan {

std::string OperationWhere(const std::string& file, int op_index, const Operation& op,
                           const std::string& field) {
  SourcePos pos = op.at.At(field);
  std::string where = file;
  if (pos.line > 0) where += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
  std::string key = "operations[" + std::to_string(op_index) + "]." + op.kind;
  if (!field.empty()) key += "." + field;
  return where + ": " + key;
}

std::string UnknownColumnMessage(const VirtualTable& table, const std::string& column) {
  std::vector<std::string> names;
  for (const auto& c : table.columns) names.push_back(c.name);
  return "column \"" + column + "\" does not exist in table \"" + table.name +
         "\"; its columns are: " + Join(names, ", ");
}

std::string NewColumnNameProblem(const VirtualTable& table, const std::string& column) {
  if (table.FindColumn(column) != nullptr) {
    return "column \"" + column + "\" already exists in table \"" + table.name +
           "\"; choose another name";
  }
  if (StartsWith(column, "_tandem_"))
    return "column names starting with _tandem_ are reserved for tandem";
  return "";
}

std::string KeyColumnDropProblem(const VirtualTable& table, const VirtualColumn& column) {
  for (const auto& key : table.key_columns) {
    if (key == column.physical) {
      return "column \"" + column.name + "\" is part of the primary key of \"" + table.name +
             "\"; drop or replace the key first";
    }
  }
  return "";
}

}  // namespace tandem::plan
