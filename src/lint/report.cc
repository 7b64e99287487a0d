#include "lint/report.h"

#include <map>
#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace tandem::lint {
namespace {

using nlohmann::json;

std::string Text(const Finding& f) {
  return f.file + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": " +
         SeverityName(f.severity) + " " + f.code + " " + f.message + "\n";
}

std::string JsonLine(const Finding& f) {
  const Rule* rule = FindRule(f.code);
  json line = {{"file", f.file},      {"line", f.line},
               {"column", f.column},  {"severity", SeverityName(f.severity)},
               {"code", f.code},      {"rule", rule != nullptr ? rule->name : ""},
               {"message", f.message}};
  return line.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

// SARIF's levels: error, warning, note.
const char* SarifLevel(Severity severity) {
  return severity == Severity::kInfo ? "note" : SeverityName(severity);
}

json SarifRule(const Rule& rule) {
  return {{"id", rule.code},
          {"name", rule.name},
          {"shortDescription", {{"text", rule.summary}}},
          {"fullDescription", {{"text", rule.doc}}},
          {"help", {{"text", rule.doc}}},
          {"defaultConfiguration", {{"level", SarifLevel(rule.severity)}}}};
}

std::string Sarif(const std::vector<Finding>& findings, const std::string& version) {
  json rules = json::array();
  std::map<std::string, int> rule_index;
  json results = json::array();
  for (const auto& f : findings) {
    const Rule* rule = FindRule(f.code);
    if (rule != nullptr && rule_index.count(f.code) == 0) {
      rule_index[f.code] = static_cast<int>(rules.size());
      rules.push_back(SarifRule(*rule));
    }
    json location = {{"artifactLocation", {{"uri", f.file}}}};
    if (f.line > 0) {
      location["region"] = {{"startLine", f.line}, {"startColumn", std::max(f.column, 1)}};
    }
    json result = {{"ruleId", f.code},
                   {"level", SarifLevel(f.severity)},
                   {"message", {{"text", f.message}}},
                   {"locations", json::array({{{"physicalLocation", location}}})}};
    if (rule_index.count(f.code) > 0) result["ruleIndex"] = rule_index[f.code];
    results.push_back(std::move(result));
  }
  json log = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       json::array(
           {{{"tool", {{"driver", {{"name", "tandem"}, {"version", version}, {"rules", rules}}}}},
             {"results", results}}})}};
  return log.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// GitHub's workflow commands: the message escapes %, CR and LF; property
// values also ':' and ','.
std::string GithubEscape(std::string text, bool property) {
  text = ReplaceAll(text, "%", "%25");
  text = ReplaceAll(text, "\r", "%0D");
  text = ReplaceAll(text, "\n", "%0A");
  if (property) {
    text = ReplaceAll(text, ":", "%3A");
    text = ReplaceAll(text, ",", "%2C");
  }
  return text;
}

std::string Github(const Finding& f) {
  const char* command = f.severity == Severity::kInfo ? "notice" : SeverityName(f.severity);
  const Rule* rule = FindRule(f.code);
  std::string title = f.code + (rule != nullptr ? std::string(" ") + rule->name : "");
  return std::string("::") + command + " file=" + GithubEscape(f.file, true) +
         ",line=" + std::to_string(f.line) + ",col=" + std::to_string(f.column) +
         ",title=" + GithubEscape(title, true) + "::" + GithubEscape(f.message, false) + "\n";
}

std::string Engines(const Rule& rule) {
  if (rule.postgres && rule.sqlite) return "postgres,sqlite";
  return rule.postgres ? "postgres" : "sqlite";
}

}  // namespace

bool ParseFormat(std::string_view text, Format* format) {
  static const std::map<std::string, Format> kFormats = {{"text", Format::kText},
                                                         {"json", Format::kJson},
                                                         {"sarif", Format::kSarif},
                                                         {"github", Format::kGithub}};
  auto it = kFormats.find(std::string(text));
  if (it == kFormats.end()) return false;
  *format = it->second;
  return true;
}

std::string FormatFindings(const std::vector<Finding>& findings, Format format,
                           const std::string& tool_version) {
  if (format == Format::kSarif) return Sarif(findings, tool_version);
  std::string out;
  for (const auto& f : findings) {
    if (format == Format::kText) out += Text(f);
    if (format == Format::kJson) out += JsonLine(f);
    if (format == Format::kGithub) out += Github(f);
  }
  return out;
}

std::string RulesTable() {
  std::string out;
  for (const Rule& rule : AllRules()) {
    std::string flags = Engines(rule);
    if (rule.needs_url) flags += ",--url";
    if (!rule.on_by_default) flags += ",off";
    char line[256];
    std::snprintf(line, sizeof line, "%-6s %-8s %-26s %-38s ", rule.code,
                  SeverityName(rule.severity), flags.c_str(), rule.name);
    out += line + std::string(rule.summary) + "\n";
  }
  return out;
}

std::string ExplainRule(const Rule& rule) {
  std::string out = std::string(rule.code) + " " + rule.name + " (" + SeverityName(rule.severity) +
                    "; " + Engines(rule) + (rule.needs_url ? "; checked with --url" : "") +
                    (rule.on_by_default ? "" : "; off unless --enable") + ")\n" + rule.summary +
                    "\n\n" + rule.doc + "\n";
  return out;
}

}  // namespace tandem::lint
