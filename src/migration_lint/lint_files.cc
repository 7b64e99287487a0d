#include "migration_lint/lint_files.h"

#include <algorithm>
#include <filesystem>
#include <regex>
#include <system_error>

#include "common/strings.h"
#include "lint/rules.h"
#include "migration_lint/file_linters.h"

namespace tandem::migration_lint {
namespace {

namespace fs = std::filesystem;

bool IsSql(const fs::path& path) { return ToLower(path.extension().string()) == ".sql"; }

bool IsMigrationFile(const fs::path& path) {
  std::string extension = ToLower(path.extension().string());
  return extension == ".sql" || extension == ".yaml" || extension == ".yml" || extension == ".json";
}

// golang-migrate's *.down.sql and Flyway's undo migrations U<version>__*.sql
// undo a migration: they are not what runs on the way up.
bool UndoesAMigration(const fs::path& path) {
  static const std::regex kFlywayUndo("U[0-9][0-9._]*__.*\\.sql", std::regex::icase);
  std::string name = path.filename().string();
  return EndsWith(ToLower(name), ".down.sql") || std::regex_match(name, kFlywayUndo);
}

Status FilesUnder(const std::string& dir, std::vector<std::string>* out) {
  std::error_code error;
  std::vector<std::string> found;
  fs::recursive_directory_iterator it(dir, error), end;
  for (; !error && it != end; it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    if (IsMigrationFile(it->path()) && !UndoesAMigration(it->path())) {
      found.push_back(it->path().string());
    }
  }
  if (error) return Status::InvalidInput(dir + ": cannot read the directory: " + error.message());
  if (found.empty()) {
    return Status::InvalidInput(dir + ": no migration files (.sql, .yaml, .yml, .json) in it");
  }
  std::sort(found.begin(), found.end());
  out->insert(out->end(), found.begin(), found.end());
  return Status::Ok();
}

}  // namespace

Result<std::vector<std::string>> MigrationFiles(const std::vector<std::string>& paths) {
  if (paths.empty()) {
    return Status::InvalidInput("no files given; name migration files or directories to lint");
  }
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      TANDEM_RETURN_IF_ERROR(FilesUnder(path, &files));
    } else if (!fs::exists(path, error)) {
      return Status::InvalidInput(path + ": no such file or directory");
    } else if (!IsMigrationFile(path)) {
      return Status::InvalidInput(path +
                                  ": not a migration file; tandem lint reads .sql, .yaml, .yml "
                                  "and .json files");
    } else {
      files.push_back(path);
    }
  }
  return files;
}

bool RuleActive(const std::string& code, const Options& options,
                const std::set<std::string>& disabled) {
  const lint::Rule* rule = lint::FindRule(code);
  if (rule == nullptr) return false;
  if (options.sqlite ? !rule->sqlite : !rule->postgres) return false;
  if (options.disabled.count(rule->code) > 0 || disabled.count(rule->code) > 0) return false;
  return rule->on_by_default || options.enabled.count(rule->code) > 0;
}

Status CheckRuleCodes(const std::vector<std::string>& codes, const std::string& where) {
  for (const auto& code : codes) {
    if (lint::FindRule(code) != nullptr) continue;
    return Status::InvalidInput(where + ": no rule has the code \"" + code +
                                "\"; `tandem lint --rules` lists them");
  }
  return Status::Ok();
}

std::vector<std::string> CodeList(const std::string& text) {
  std::vector<std::string> codes;
  for (const auto& part : Split(text, ',')) {
    std::string code = Trim(part);
    for (auto& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (!code.empty()) codes.push_back(code);
  }
  return codes;
}

Result<FileReport> LintFile(const std::string& path, const Options& options) {
  Result<FileReport> report =
      IsSql(path) ? LintSqlPath(path, options) : LintPgrollFile(path, options);
  if (!report.ok()) return report;
  std::erase_if(report->findings, [&](const lint::Finding& f) {
    return !RuleActive(f.code, options, report->disabled);
  });
  std::stable_sort(report->findings.begin(), report->findings.end(),
                   [](const lint::Finding& a, const lint::Finding& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  return report;
}

}  // namespace tandem::migration_lint
