#include "core/changed_file.h"

#include <vector>

#include "common/strings.h"

namespace tandem::core {
namespace {

// Lines longer than this are cut: the message names a line, it does not
// reproduce the file.
constexpr size_t kMaxShown = 120;

std::string Shown(const std::string& line) {
  std::string text = line.size() > kMaxShown ? line.substr(0, kMaxShown) + "..." : line;
  return "\"" + text + "\"";
}

}  // namespace

std::string FirstChangedLine(const std::string& stored, const std::string& given) {
  if (stored == given) return "";
  std::vector<std::string> before = Split(stored, '\n');
  std::vector<std::string> after = Split(given, '\n');
  size_t i = 0;
  while (i < before.size() && i < after.size() && before[i] == after[i]) ++i;
  std::string line = "line " + std::to_string(i + 1);
  if (i == before.size()) return line + " is new: " + Shown(after[i]);
  if (i == after.size()) return line + " is gone: " + Shown(before[i]);
  return line + " was " + Shown(before[i]) + ", now " + Shown(after[i]);
}

}  // namespace tandem::core
