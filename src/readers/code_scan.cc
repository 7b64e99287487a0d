#include "readers/code_scan.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "common/strings.h"

namespace tandem::readers {
namespace {

namespace fs = std::filesystem;

constexpr uintmax_t kMaxFileBytes = 1 << 20;
// Enough for a large monorepo; a scan that would go on is cut short and says so.
constexpr size_t kMaxFiles = 200000;
constexpr size_t kMaxLineShown = 200;

bool IsWordByte(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `name` as a whole word of `line`.
bool NamesWord(const std::string& line, const std::string& name) {
  for (size_t at = line.find(name); at != std::string::npos; at = line.find(name, at + 1)) {
    bool starts = at == 0 || !IsWordByte(line[at - 1]);
    size_t end = at + name.size();
    if (starts && (end == line.size() || !IsWordByte(line[end]))) return true;
  }
  return false;
}

// first_name -> firstName (upper false) or FirstName (upper true).
std::string Camel(const std::string& snake, bool upper) {
  std::string out;
  bool next_upper = upper;
  for (char c : snake) {
    if (c == '_') {
      next_upper = true;
      continue;
    }
    out += next_upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    next_upper = false;
  }
  return out;
}

// The spellings code uses for a column or a table.
std::vector<std::string> ColumnSpellings(const std::string& column) {
  std::vector<std::string> names = {column, Camel(column, false)};
  if (names[1] == column) names.pop_back();
  return names;
}

std::vector<std::string> TableSpellings(const std::string& table) {
  std::vector<std::string> names = {table, Camel(table, true)};
  if (table.size() > 1 && table.back() == 's') {
    names.push_back(Camel(table.substr(0, table.size() - 1), true));  // users -> User
  }
  return names;
}

bool NamesAny(const std::string& line, const std::vector<std::string>& names) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return NamesWord(line, n); });
}

bool LooksBinary(const std::string& head) { return head.find('\0') != std::string::npos; }

std::vector<std::string> LinesOf(const fs::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) {
    if (lines.empty() && LooksBinary(line.substr(0, 8192))) return {};
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string Described(const plan::Retired& r) {
  std::string what = r.column.empty() ? "table " + r.table : "column " + r.table + "." + r.column;
  if (r.change == plan::RetiredChange::kRenamed)
    return what + ", which complete renames to " + r.renamed_to;
  return what + ", which complete drops";
}

void ScanFile(const fs::path& path, const std::vector<plan::Retired>& retired,
              std::vector<Reader>* found) {
  std::vector<std::string> lines = LinesOf(path);
  if (lines.empty()) return;
  for (const auto& r : retired) {
    if (r.change == plan::RetiredChange::kReplaced) continue;
    std::vector<std::string> table = TableSpellings(r.table);
    std::vector<std::string> names = r.column.empty() ? table : ColumnSpellings(r.column);
    if (!r.column.empty() && std::none_of(lines.begin(), lines.end(), [&](const std::string& line) {
          return NamesAny(line, table);
        })) {
      continue;
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      if (!NamesAny(lines[i], names)) continue;
      std::string shown = Trim(lines[i]).substr(0, kMaxLineShown);
      found->push_back({kCode, path.string() + ":" + std::to_string(i + 1),
                        Described(r) + ", in `" + shown + "`",
                        "change the code (or retire the version that runs it) before complete"});
    }
  }
}

bool Skipped(const fs::directory_entry& entry) {
  std::string name = entry.path().filename().string();
  return entry.is_directory() && (name == ".git" || name == "node_modules");
}

}  // namespace

Result<std::vector<Reader>> ScanCode(const std::string& dir,
                                     const std::vector<plan::Retired>& retired) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return Status::InvalidInput("--scan " + dir +
                                ": not a directory; give the directory of the "
                                "application code to search");
  }
  std::vector<Reader> found;
  size_t files = 0;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, error);
  for (fs::recursive_directory_iterator end; !error && it != end; it.increment(error)) {
    if (Skipped(*it)) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(error) || it->file_size(error) > kMaxFileBytes) continue;
    if (++files > kMaxFiles) {
      return Status::InvalidInput("--scan " + dir + ": more than " + std::to_string(kMaxFiles) +
                                  " files; give the directory of the application's code only");
    }
    ScanFile(it->path(), retired, &found);
  }
  if (error) return Status::InvalidInput("--scan " + dir + ": " + error.message());
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace tandem::readers
