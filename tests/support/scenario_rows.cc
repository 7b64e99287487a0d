#include "support/scenario_rows.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "common/strings.h"

namespace tandem::testing::scenario {
namespace {

// The value as a number, when all of it is one.
bool AsNumber(const std::string& text, double& number) {
  if (text.empty()) return false;
  size_t used = 0;
  try {
    number = std::stod(text, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == text.size();
}

std::string ShowBoolean(const std::string& text) {
  if (text == "t" || text == "true" || text == "1") return "true";
  if (text == "f" || text == "false" || text == "0") return "false";
  return text;
}

std::string ShowInteger(const std::string& text) {
  double number = 0;
  if (!AsNumber(text, number) || number != std::floor(number)) return text;
  if (text.find_first_of(".eE") == std::string::npos) return text;
  return std::to_string(static_cast<long long>(number));
}

std::string ShowReal(const std::string& text) {
  double number = 0;
  if (!AsNumber(text, number)) return text;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.3f", number);
  return buffer;
}

}  // namespace

std::string ShowValue(char type, const backend::Value& value) {
  if (!value.has_value()) return "NULL";
  switch (type) {
    case 'B':
      return ShowBoolean(*value);
    case 'I':
      return ShowInteger(*value);
    case 'R':
      return ShowReal(*value);
    default:
      return value->empty() ? "(empty)" : *value;
  }
}

std::vector<TextRow> ShowRows(const std::string& types, const backend::QueryResult& result) {
  std::vector<TextRow> rows;
  for (const auto& row : result.rows) {
    TextRow shown;
    for (size_t i = 0; i < row.size(); ++i) {
      shown.push_back(ShowValue(i < types.size() ? types[i] : 'T', row[i]));
    }
    rows.push_back(std::move(shown));
  }
  return rows;
}

std::vector<TextRow> ExpectedRows(const std::vector<std::string>& lines, size_t columns) {
  std::vector<TextRow> rows;
  for (const auto& line : lines) {
    if (columns == 1) {
      rows.push_back({line});
    } else if (line.find('\t') != std::string::npos) {
      rows.push_back(Split(line, '\t'));
    } else {
      std::istringstream in(line);
      TextRow row;
      for (std::string value; in >> value;) row.push_back(value);
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

std::string FormatRows(const std::vector<TextRow>& rows) {
  if (rows.empty()) return "  (no rows)\n";
  std::string text;
  for (const auto& row : rows) text += "  " + Join(row, "\t") + "\n";
  return text;
}

}  // namespace tandem::testing::scenario
