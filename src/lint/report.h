// `tandem lint`'s findings as text for a person (gcc's and squawk's
// `file:line:column: severity CODE message`), JSON Lines, SARIF 2.1.0 for
// code-scanning UIs, or GitHub Actions workflow commands (annotations).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lint/sql_rules.h"

namespace tandem::lint {

enum class Format { kText, kJson, kSarif, kGithub };

// "text", "json", "sarif" or "github"; false for anything else.
bool ParseFormat(std::string_view text, Format* format);

// Every finding in `format`, each line ending in '\n'. SARIF is one
// document (with the rules the findings use); the others are one line per
// finding, nothing when there is none.
std::string FormatFindings(const std::vector<Finding>& findings, Format format,
                           const std::string& tool_version);

// `tandem lint --rules`: one line per rule (code, severity, engines, name,
// summary), and `--explain CODE`: the rule's whole doc.
std::string RulesTable();
std::string ExplainRule(const Rule& rule);

}  // namespace tandem::lint
