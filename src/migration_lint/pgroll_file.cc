// tandem/pgroll migration files: the rules over what tandem runs for each
// operation. Most of squawk's rules are about statements tandem never
// writes (it adds NOT NULL columns nullable and backfills them, builds
// indexes concurrently, adds constraints NOT VALID); what remains is what
// the file chooses (its column types, what it drops) and its raw `sql`.
#include <variant>

#include "lint/rules.h"
#include "migration_lint/file_linters.h"
#include "plan/source_lines.h"
#include "reader/reader.h"

namespace tandem::migration_lint {
namespace {

using lint::LiveQuestion;

class OperationLinter {
 public:
  OperationLinter(const plan::Migration& migration, const Options& options, FileReport* report)
      : migration_(migration), options_(options), report_(report) {}

  Status Lint(const plan::Operation& op) {
    op_ = &op;
    if (const auto* create = std::get_if<plan::CreateTable>(&op.body)) {
      for (const auto& column : create->columns)
        TANDEM_RETURN_IF_ERROR(Types(column, create->name));
    } else if (const auto* add = std::get_if<plan::AddColumn>(&op.body)) {
      TANDEM_RETURN_IF_ERROR(Types(add->column, add->table));
      Ask(LiveQuestion::Kind::kAddsColumns, add->table, add->column.name,
          "adds column \"" + add->column.name + "\"", "column", 1);
    } else if (const auto* alter = std::get_if<plan::AlterColumn>(&op.body)) {
      LintAlterColumn(*alter);
    } else if (const auto* drop = std::get_if<plan::DropColumn>(&op.body)) {
      Report(lint::kRuleDropsObject, "column",
             "drop_column removes column \"" + drop->column + "\" of \"" + drop->table +
                 "\" at complete; its data is gone from then on (rollback restores it until "
                 "complete)");
      Ask(LiveQuestion::Kind::kChangesColumn, drop->table, drop->column,
          "drops column \"" + drop->column + "\"", "column");
    } else if (const auto* drop_table = std::get_if<plan::DropTable>(&op.body)) {
      Report(lint::kRuleDropsObject, "name",
             "drop_table removes table \"" + drop_table->name +
                 "\" at complete; its data is gone from then on (rollback restores it until "
                 "complete)");
      Ask(LiveQuestion::Kind::kChangesTable, drop_table->name, "",
          "drops \"" + drop_table->name + "\"", "name");
    } else if (const auto* rename = std::get_if<plan::RenameColumn>(&op.body)) {
      Ask(LiveQuestion::Kind::kChangesColumn, rename->table, rename->from,
          "renames column \"" + rename->from + "\" at complete", "from");
    } else if (const auto* rename_table = std::get_if<plan::RenameTable>(&op.body)) {
      Ask(LiveQuestion::Kind::kChangesTable, rename_table->from, "",
          "renames \"" + rename_table->from + "\" at complete", "from");
    } else if (const auto* sql = std::get_if<plan::RawSql>(&op.body)) {
      return LintRawSql(*sql);
    }
    return Status::Ok();
  }

 private:
  void LintAlterColumn(const plan::AlterColumn& alter) {
    if (alter.type) {
      plan::ColumnDef column;
      column.name = alter.column;
      column.type = *alter.type;
      column.at = op_->at;
      (void)Types(column, alter.table);
    }
    if (alter.type || alter.name) {
      Ask(LiveQuestion::Kind::kChangesColumn, alter.table, alter.column,
          std::string(alter.type ? "changes the type of" : "renames") + " column \"" +
              alter.column + "\" at complete",
          "column");
    }
  }

  Status Types(const plan::ColumnDef& column, const std::string& table) {
    Result<std::vector<lint::Finding>> found = lint::LintColumnType(column.type, column.name);
    if (!found.ok()) return Status::Ok();  // the reader checked the type already
    plan::SourcePos pos = column.at.At("type");
    if (pos.line == 0) pos = op_->at.At();
    for (auto& finding : *found) {
      finding.file = migration_.file;
      finding.line = pos.line;
      finding.column = pos.column;
      finding.message += " (table \"" + table + "\")";
      report_->findings.push_back(std::move(finding));
    }
    return Status::Ok();
  }

  Status LintRawSql(const plan::RawSql& sql) {
    // tandem runs `up` as one step: in a transaction, with lock_timeout set.
    lint::SqlContext context{options_.sqlite, true, true};
    Result<lint::SqlLint> lint = lint::LintSql(sql.up, context);
    if (!lint.ok()) return Status::Ok();  // the reader refused SQL that does not parse
    plan::SourcePos up = op_->at.At("up");
    for (auto& finding : lint->findings) {
      plan::SourcePos pos =
          plan::ScalarPosition(migration_.content, up, finding.line - 1, finding.column);
      finding.file = migration_.file;
      finding.line = pos.line;
      finding.column = pos.column;
      report_->findings.push_back(std::move(finding));
    }
    for (auto& question : lint->questions) {
      plan::SourcePos pos =
          plan::ScalarPosition(migration_.content, up, question.line - 1, question.column_number);
      question.line = pos.line;
      question.column_number = pos.column;
      report_->questions.push_back(std::move(question));
    }
    return Status::Ok();
  }

  void Report(const char* code, const std::string& field, const std::string& message) {
    plan::SourcePos pos = op_->at.At(field);
    const lint::Rule* rule = lint::FindRule(code);
    report_->findings.push_back(
        {migration_.file, pos.line, pos.column, code, rule->severity, message});
  }

  void Ask(LiveQuestion::Kind kind, const std::string& table, const std::string& column,
           const std::string& what, const std::string& field, int count = 0) {
    plan::SourcePos pos = op_->at.At(field);
    report_->questions.push_back({kind, "", table, column, count, what, pos.line, pos.column});
  }

  const plan::Migration& migration_;
  const Options& options_;
  FileReport* report_;
  const plan::Operation* op_ = nullptr;
};

}  // namespace

Result<FileReport> LintPgrollFile(const std::string& path, const Options& options) {
  TANDEM_ASSIGN_OR_RETURN(plan::Migration migration, reader::ReadMigrationFile(path));
  FileReport report;
  report.file = path;
  plan::SourcePos disable_at = migration.settings.lint_at.At("lint.disable");
  if (disable_at.line == 0) disable_at = migration.settings.lint_at.At("disable");
  std::vector<std::string> codes;
  for (const auto& code : migration.settings.lint_disable) {
    std::vector<std::string> listed = CodeList(code);
    codes.insert(codes.end(), listed.begin(), listed.end());
  }
  TANDEM_RETURN_IF_ERROR(CheckRuleCodes(codes, path + ":" + std::to_string(disable_at.line) + ":" +
                                                   std::to_string(disable_at.column) +
                                                   ": lint.disable"));
  report.disabled.insert(codes.begin(), codes.end());
  OperationLinter linter(migration, options, &report);
  for (const auto& op : migration.operations) TANDEM_RETURN_IF_ERROR(linter.Lint(op));
  return report;
}

}  // namespace tandem::migration_lint
