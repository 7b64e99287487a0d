// `tandem diff`: row-level comparison of two tables, in one database or in
// two (diff/table_diff.h). Exit 0 when they match, 1 when they differ,
// 2 for bad usage (unknown table or column, no unique key), 3 when the scan
// could not finish.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/global_options.h"
#include "common/status.h"

namespace tandem::cli {

struct DiffFlags {
  std::string source;
  std::string source_url;  // default: the global --url
  std::string target;
  std::string target_url;
  std::vector<std::string> key;
  std::vector<std::string> columns;
  std::string partition_by;
  long long chunk_rows = 100000;
  std::string chunk_timeout = "60s";
  long long max_rows = 1000;
};

// Adds the `diff` subcommand and its options, bound to `flags`.
CLI::App* AddDiffSubcommand(CLI::App& app, DiffFlags& flags);

// Runs the diff and prints its report (text, or one JSON object with
// --json). On success *exit_code is 0, 1 or 3 as above; a returned error
// (bad usage, no connection) is for the caller to print and map.
Status RunDiffSubcommand(const GlobalOptions& global, const DiffFlags& flags, int* exit_code);

}  // namespace tandem::cli
