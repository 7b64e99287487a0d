// `tandem lint FILE|DIR...`: the rules of lint/ over migration files
// (migration_lint/), before any of them reaches a database. Exit 0 when
// nothing at or above --error-on is found, 1 when something is, 2 for bad
// input (a file that does not parse, an unknown rule code, a bad flag).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/global_options.h"
#include "common/status.h"

namespace tandem::cli {

struct LintFlags {
  std::vector<std::string> paths;
  std::string format = "text";
  std::vector<std::string> disable;
  std::vector<std::string> enable;
  std::string error_on = "error";
  std::string engine;  // empty: sqlite for a sqlite: URL, else postgres
  std::string explain;
  bool rules = false;
  bool assume_in_transaction = false;
  std::string large_table = "16MB";
};

// Adds the `lint` subcommand and its options, bound to `flags`.
CLI::App* AddLintSubcommand(CLI::App& app, LintFlags& flags);

// Lints and prints; *exit_code is 0, 1 or 2 as above. A returned error
// (a bad flag, an unreachable database) is for the caller to print and map.
Status RunLintSubcommand(const GlobalOptions& global, const LintFlags& flags, int* exit_code);

}  // namespace tandem::cli
