// A scenario query's rows as text both engines agree on, and the expected
// rows as a scenario file writes them.
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"

namespace tandem::testing::scenario {

using TextRow = std::vector<std::string>;

// `value` as a column of `type` shows it: NULL for NULL; B true or false
// (PostgreSQL's t/f, SQLite's 1/0); I an integer (SQLite's 3.0 is 3); R
// with three decimals; T as it is, (empty) for an empty string.
std::string ShowValue(char type, const backend::Value& value);

// The rows of `result`, each value shown as its column's type says.
std::vector<TextRow> ShowRows(const std::string& types, const backend::QueryResult& result);

// Expected rows as written: with one column a line is the value; with more,
// values are separated by tabs where the line has one, else by spaces.
std::vector<TextRow> ExpectedRows(const std::vector<std::string>& lines, size_t columns);

// Rows one a line, values separated by a tab, each line indented.
std::string FormatRows(const std::vector<TextRow>& rows);

}  // namespace tandem::testing::scenario
