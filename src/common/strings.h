// Small string helpers shared by every module, including SQL quoting.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tandem {

// "name" with embedded quotes doubled: a safe SQL identifier.
std::string QuoteIdent(std::string_view name);
// 'text' with embedded quotes doubled: a safe SQL string literal.
std::string QuoteLiteral(std::string_view text);
// schema.name, each part quoted.
std::string QualifiedName(std::string_view schema, std::string_view name);

std::string Join(const std::vector<std::string>& parts, std::string_view separator);
std::string Trim(std::string_view text);
std::string ToLower(std::string_view text);
bool StartsWith(std::string_view text, std::string_view prefix);
// True when `name` is a Prometheus metric name (or may start one): letters,
// digits and underscores, not starting with a digit.
bool IsPrometheusName(std::string_view name);
bool EndsWith(std::string_view text, std::string_view suffix);
std::vector<std::string> Split(std::string_view text, char separator);
// A number as a person writes it: "1000", "0.5", "2.25".
std::string FormatNumber(double value);
// `text` cut to at most `columns` characters (UTF-8 code points), for a
// line that must not wrap on a terminal of that width.
std::string FitColumns(std::string_view text, size_t columns);
// Replaces every occurrence of `from` in `text` by `to`.
std::string ReplaceAll(std::string text, std::string_view from, std::string_view to);

}  // namespace tandem
