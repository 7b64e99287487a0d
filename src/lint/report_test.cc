#include "lint/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace tandem::lint {
namespace {

using nlohmann::json;

std::vector<Finding> Sample() {
  return {{"db/V2__a.sql", 4, 1, "TD304", Severity::kError, "CREATE INDEX blocks writes"},
          {"db/m.yaml", 7, 15, "TD503", Severity::kWarning, "varchar(n), 100%: use text"},
          {"db/m.yaml", 9, 3, "TD506", Severity::kInfo, "no IF NOT EXISTS"}};
}

TEST(LintReportTest, TextIsFileLineColumnSeverityCodeMessage) {
  std::string text = FormatFindings(Sample(), Format::kText, "1.0");
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "db/V2__a.sql:4:1: error TD304 CREATE INDEX blocks writes");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
}

TEST(LintReportTest, JsonIsOneObjectPerLine) {
  std::string text = FormatFindings(Sample(), Format::kJson, "1.0");
  std::istringstream lines(text);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    json finding = json::parse(line);
    EXPECT_TRUE(finding.contains("file") && finding.contains("line") &&
                finding.contains("column") && finding.contains("code") &&
                finding.contains("severity") && finding.contains("rule"));
    ++count;
  }
  EXPECT_EQ(count, 3);
  EXPECT_EQ(json::parse(text.substr(0, text.find('\n')))["rule"], "index-without-concurrently");
}

// SARIF 2.1.0's required properties: sarifLog {version, runs}, run {tool},
// tool {driver}, driver {name}, result {message}, message {text};
// reportingDescriptor {id}; region lines start at 1.
TEST(LintReportTest, SarifHasTheSchemasRequiredFields) {
  json log = json::parse(FormatFindings(Sample(), Format::kSarif, "1.0"));
  EXPECT_EQ(log["version"], "2.1.0");
  ASSERT_EQ(log["runs"].size(), 1u);
  const json& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "tandem");
  const json& rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 3u);
  for (const auto& rule : rules) EXPECT_TRUE(rule["id"].is_string());
  ASSERT_EQ(run["results"].size(), 3u);
  for (const auto& result : run["results"]) {
    EXPECT_TRUE(result["message"]["text"].is_string());
    EXPECT_EQ(rules[result["ruleIndex"].get<int>()]["id"], result["ruleId"]);
    const json& location = result["locations"][0]["physicalLocation"];
    EXPECT_TRUE(location["artifactLocation"]["uri"].is_string());
    EXPECT_GE(location["region"]["startLine"].get<int>(), 1);
  }
  EXPECT_EQ(run["results"][2]["level"], "note");
  json empty = json::parse(FormatFindings({}, Format::kSarif, "1.0"));
  EXPECT_TRUE(empty["runs"][0]["results"].empty());
}

TEST(LintReportTest, GithubAnnotationsEscapeTheirText) {
  std::string text = FormatFindings(Sample(), Format::kGithub, "1.0");
  EXPECT_NE(text.find("::error file=db/V2__a.sql,line=4,col=1,title=TD304 "
                      "index-without-concurrently::CREATE INDEX blocks writes\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("::warning file=db/m.yaml,line=7,col=15,title=TD503 prefer-text::"
                      "varchar(n), 100%25: use text\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("::notice "), std::string::npos);
}

TEST(LintReportTest, EveryRuleHasADocAndAUniqueCode) {
  std::set<std::string> codes;
  for (const Rule& rule : AllRules()) {
    EXPECT_TRUE(codes.insert(rule.code).second) << rule.code;
    EXPECT_GT(std::string(rule.doc).size(), 40u) << rule.code;
    EXPECT_TRUE(rule.postgres || rule.sqlite) << rule.code;
    EXPECT_NE(ExplainRule(rule).find(rule.name), std::string::npos);
  }
  EXPECT_EQ(FindRule("td304"), FindRule("TD304"));
  EXPECT_EQ(FindRule("TD999"), nullptr);
  std::string table = RulesTable();
  EXPECT_EQ(static_cast<size_t>(std::count(table.begin(), table.end(), '\n')), AllRules().size());
}

}  // namespace
}  // namespace tandem::lint
