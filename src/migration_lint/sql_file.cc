// Plain .sql migration files.
#include <fstream>
#include <regex>

#include "common/strings.h"
#include "lint/pg_parse.h"
#include "migration_lint/file_linters.h"

namespace tandem::migration_lint {
namespace {

// Real migrations are a few KiB; a schema dump may be a few MiB.
constexpr size_t kMaxSqlFileBytes = 16 << 20;

// dbmate writes `-- migrate:up [transaction:false]` and `-- migrate:down`:
// what runs on the way up is the text between them, in a transaction unless
// the up marker says otherwise.
struct DbmateSections {
  size_t up_end = std::string::npos;  // where the down section starts
  bool has_markers = false;
  bool in_transaction = false;
};

DbmateSections FindDbmateSections(const std::string& content) {
  static const std::regex kUp("^--\\s*migrate:up\\b(.*)$");
  static const std::regex kDown("^--\\s*migrate:down\\b");
  DbmateSections sections;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    std::string line = content.substr(start, end == std::string::npos ? end : end - start);
    std::smatch match;
    if (std::regex_search(line, match, kUp)) {
      sections.has_markers = true;
      sections.in_transaction = match[1].str().find("transaction:false") == std::string::npos;
    } else if (std::regex_search(line, kDown)) {
      sections.up_end = start;
      return sections;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return sections;
}

// `-- tandem-lint: disable=TD304,TD310` anywhere in the file.
Status ReadDisableComments(const std::string& path, const std::string& content,
                           std::set<std::string>* disabled) {
  static const std::regex kDisable("--\\s*tandem-lint:\\s*disable\\s*=\\s*([A-Za-z0-9_, ]*)");
  int line_number = 0;
  size_t start = 0;
  while (start < content.size()) {
    ++line_number;
    size_t end = content.find('\n', start);
    std::string line = content.substr(start, end == std::string::npos ? end : end - start);
    std::smatch match;
    if (std::regex_search(line, match, kDisable)) {
      std::vector<std::string> codes = CodeList(match[1].str());
      TANDEM_RETURN_IF_ERROR(CheckRuleCodes(
          codes, path + ":" + std::to_string(line_number) + ": tandem-lint: disable"));
      disabled->insert(codes.begin(), codes.end());
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace

Result<FileReport> LintSqlPath(const std::string& path, const Options& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidInput(path + ": cannot read the file");
  std::string content(kMaxSqlFileBytes + 1, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  content.resize(static_cast<size_t>(in.gcount()));
  if (content.size() > kMaxSqlFileBytes) {
    return Status::InvalidInput(path +
                                ": larger than 16 MiB; split it into migrations of their own");
  }
  return LintSqlFile(path, content, options);
}

Result<FileReport> LintSqlFile(const std::string& path, const std::string& content,
                               const Options& options) {
  FileReport report;
  report.file = path;
  TANDEM_RETURN_IF_ERROR(ReadDisableComments(path, content, &report.disabled));
  DbmateSections sections = FindDbmateSections(content);
  std::string up = content.substr(0, sections.up_end);
  lint::SqlContext context;
  context.sqlite = options.sqlite;
  context.in_transaction =
      sections.has_markers ? sections.in_transaction : options.assume_in_transaction;
  lint::SyntaxError syntax;
  Result<lint::SqlLint> lint = lint::LintSql(up, context, &syntax);
  if (!lint.ok()) {
    if (lint.status().kind() != ErrorKind::kInvalidInput) return lint.status();
    int line = 0, column = 0;
    lint::LineAndColumn(up, static_cast<size_t>(syntax.offset), &line, &column);
    return Status::InvalidInput(path + ":" + std::to_string(line) + ":" + std::to_string(column) +
                                ": SQL does not parse: " + syntax.message +
                                "; tandem lint reads PostgreSQL's grammar, fix the statement");
  }
  for (auto& finding : lint->findings) finding.file = path;
  report.findings = std::move(lint->findings);
  report.questions = std::move(lint->questions);
  return report;
}

}  // namespace tandem::migration_lint
