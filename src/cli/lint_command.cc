#include "cli/lint_command.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "backends/backend.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "common/strings.h"
#include "lint/report.h"
#include "migration_lint/lint_files.h"
#include "migration_lint/postgres/live_rules.h"

namespace tandem::cli {
namespace {

bool IsSqliteUrl(const std::string& url) {
  return StartsWith(url, "sqlite:") || StartsWith(url, "file:");
}

// "16MB", "512kB", "1GB", "1048576": bytes.
Result<long long> ParseSize(const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string unit = ToLower(Trim(text.substr(digits)));
  long long multiplier = unit.empty() || unit == "b" ? 1
                         : unit == "kb"              ? 1LL << 10
                         : unit == "mb"              ? 1LL << 20
                         : unit == "gb"              ? 1LL << 30
                                                     : 0;
  if (digits == 0 || digits > 12 || multiplier == 0) {
    return Status::InvalidInput("--large-table takes a size such as 16MB, 512kB or 1GB (got \"" +
                                text + "\")");
  }
  return std::stoll(text.substr(0, digits)) * multiplier;
}

Result<migration_lint::Options> MakeOptions(const GlobalOptions& global, const LintFlags& flags) {
  migration_lint::Options options;
  if (!flags.engine.empty()) {
    options.sqlite = flags.engine == "sqlite";
  } else {
    options.sqlite = IsSqliteUrl(global.url);
  }
  options.assume_in_transaction = flags.assume_in_transaction;
  for (const auto& [list, set, name] : {std::tuple{&flags.disable, &options.disabled, "--disable"},
                                        std::tuple{&flags.enable, &options.enabled, "--enable"}}) {
    for (const auto& item : *list) {
      std::vector<std::string> codes = migration_lint::CodeList(item);
      TANDEM_RETURN_IF_ERROR(migration_lint::CheckRuleCodes(codes, name));
      set->insert(codes.begin(), codes.end());
    }
  }
  return options;
}

// A read-only session for the rules that need the live schema: only with
// an explicit --url of a PostgreSQL database.
Result<std::unique_ptr<backend::Connection>> LiveSession(
    const GlobalOptions& global, std::unique_ptr<backend::Database>* database) {
  if (global.url.empty() || IsSqliteUrl(global.url)) return std::unique_ptr<backend::Connection>();
  TANDEM_ASSIGN_OR_RETURN(*database, backend::OpenDatabase(global.url));
  return (*database)->ConnectToRead();
}

void PrintSummary(const std::vector<lint::Finding>& findings, size_t files) {
  int counts[3] = {0, 0, 0};
  for (const auto& f : findings) ++counts[static_cast<int>(f.severity)];
  std::fprintf(stderr, "tandem lint: %zu file%s, %d error%s, %d warning%s, %d info\n", files,
               files == 1 ? "" : "s", counts[2], counts[2] == 1 ? "" : "s", counts[1],
               counts[1] == 1 ? "" : "s", counts[0]);
}

}  // namespace

CLI::App* AddLintSubcommand(CLI::App& app, LintFlags& flags) {
  CLI::App* lint = app.add_subcommand(
      "lint",
      "check migration files (tandem/pgroll .yaml/.yml/.json, plain .sql of Flyway, dbmate, "
      "golang-migrate...) against rules with stable codes (TDnnn) before they run; changes "
      "nothing. Exit 0 clean, 1 a finding at --error-on or above, 2 bad input");
  lint->add_option("PATHS", flags.paths, "migration files or directories (searched recursively)");
  lint->add_option("--format", flags.format,
                   "text (file:line:column: severity CODE message), json (JSON Lines), sarif "
                   "(SARIF 2.1.0) or github (workflow annotations)")
      ->check(CLI::IsMember({"text", "json", "sarif", "github"}))
      ->capture_default_str();
  lint->add_option("--disable", flags.disable, "rule codes to skip, e.g. TD304,TD310")
      ->delimiter(',');
  lint->add_option("--enable", flags.enable,
                   "rules that are off by default to check too, e.g. TD506")
      ->delimiter(',');
  lint->add_option("--error-on", flags.error_on,
                   "the lowest severity that makes the exit code 1: error, warning or info")
      ->check(CLI::IsMember({"error", "warning", "info"}))
      ->capture_default_str();
  lint->add_option("--engine", flags.engine,
                   "postgres or sqlite: whose rules apply (default: sqlite for a sqlite: or file: "
                   "--url, else postgres)")
      ->check(CLI::IsMember({"postgres", "sqlite"}));
  lint->add_flag("--assume-in-transaction", flags.assume_in_transaction,
                 "the framework runs each .sql file in a transaction (Flyway, Rails, Django do "
                 "by default; dbmate files say so with their `-- migrate:up` marker)");
  lint->add_option("--large-table", flags.large_table,
                   "with --url: a table at least this large (e.g. 16MB, 1GB) makes a rewrite "
                   "or scan under ACCESS EXCLUSIVE an error (TD202)")
      ->capture_default_str();
  lint->add_option("--explain", flags.explain, "print the doc of one rule, e.g. TD304, and exit");
  lint->add_flag("--rules", flags.rules,
                 "list every rule (code, severity, engines, name) and exit");
  lint->footer(
      "\nWith --url of a PostgreSQL database (only when given on the command line), the rules "
      "that need the live schema run too (TD201-TD203), reading the catalog only.\n"
      "A rule is disabled for one file by a comment `-- tandem-lint: disable=TD304,TD310` (SQL) "
      "or a section `lint: {disable: [TD101]}` (YAML/JSON).");
  return lint;
}

Status RunLintSubcommand(const GlobalOptions& global, const LintFlags& flags, int* exit_code) {
  *exit_code = kExitSuccess;
  if (flags.rules) {
    std::printf("%s", lint::RulesTable().c_str());
    return Status::Ok();
  }
  if (!flags.explain.empty()) {
    const lint::Rule* rule = lint::FindRule(flags.explain);
    if (rule == nullptr) {
      return Status::InvalidInput("no rule has the code \"" + flags.explain +
                                  "\"; `tandem lint --rules` lists them");
    }
    std::printf("%s", lint::ExplainRule(*rule).c_str());
    return Status::Ok();
  }
  lint::Format format = lint::Format::kText;
  (void)lint::ParseFormat(global.json && flags.format == "text" ? "json" : flags.format, &format);
  lint::Severity error_on = lint::Severity::kError;
  (void)lint::ParseSeverity(flags.error_on, &error_on);
  TANDEM_ASSIGN_OR_RETURN(migration_lint::Options options, MakeOptions(global, flags));
  TANDEM_ASSIGN_OR_RETURN(long long large_table, ParseSize(flags.large_table));
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> files,
                          migration_lint::MigrationFiles(flags.paths));
  std::unique_ptr<backend::Database> database;
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Connection> session,
                          LiveSession(global, &database));
  migration_lint::LiveOptions live{global.schema, large_table};
  std::vector<lint::Finding> findings;
  bool bad_input = false;
  for (const auto& file : files) {
    Result<migration_lint::FileReport> report = migration_lint::LintFile(file, options);
    if (!report.ok()) {
      if (ExitCodeFor(report.status()) != kExitInvalid) return report.status();
      PrintError(report.status(), kExitInvalid, format == lint::Format::kJson);
      bad_input = true;
      continue;
    }
    if (session) {
      TANDEM_ASSIGN_OR_RETURN(
          auto answers, migration_lint::AnswerQuestions(*session, file, report->questions, live));
      for (auto& f : answers) {
        if (migration_lint::RuleActive(f.code, options, report->disabled)) {
          report->findings.push_back(std::move(f));
        }
      }
    }
    std::stable_sort(report->findings.begin(), report->findings.end(),
                     [](const lint::Finding& a, const lint::Finding& b) {
                       return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
    findings.insert(findings.end(), report->findings.begin(), report->findings.end());
  }
  std::printf("%s", lint::FormatFindings(findings, format, TANDEM_VERSION).c_str());
  std::fflush(stdout);
  if (format == lint::Format::kText) PrintSummary(findings, files.size());
  for (const auto& f : findings) {
    if (f.severity >= error_on) *exit_code = kExitRefused;
  }
  if (bad_input) *exit_code = kExitInvalid;
  return Status::Ok();
}

}  // namespace tandem::cli
