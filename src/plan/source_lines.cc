#include "plan/source_lines.h"

#include <sstream>

namespace tandem::plan {
namespace {

// Line `number` (1-based) of `content`; "" past its end.
std::string LineOf(const std::string& content, int number) {
  std::istringstream lines(content);
  std::string line;
  for (int i = 0; i < number; ++i) {
    if (!std::getline(lines, line)) return "";
  }
  return line;
}

}  // namespace

SourcePos ScalarPosition(const std::string& content, SourcePos pos, int line, int column) {
  if (pos.line <= 0) return pos;
  std::string first = LineOf(content, pos.line);
  size_t start = pos.column > 0 ? pos.column - 1 : 0;
  char indicator = start < first.size() ? first[start] : ' ';
  if (indicator == '|' || indicator == '>') {
    int file_line = pos.line + 1 + line;
    std::string text = LineOf(content, file_line);
    int indent = static_cast<int>(text.find_first_not_of(' '));
    return {file_line, (indent < 0 ? 0 : indent) + column};
  }
  if (indicator == '"' || indicator == '\'')
    return {pos.line, pos.column + (line == 0 ? column : 1)};
  return {pos.line + line, line == 0 ? pos.column + column - 1 : column};
}

}  // namespace tandem::plan
