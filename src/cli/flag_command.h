// `tandem flag`: the feature flags of the migration in progress, each with
// a share of subjects that applications ramp (core/flags.h).
//
//   tandem flag set NAME SHARE    e.g. read_new 10%
//   tandem flag get [NAME]
//   tandem flag history [NAME]
//   tandem flag sql               the query an application runs to ask
//
// Exit 0 done, 1 when no migration is in progress, 2 for a bad name or
// share, 3 when the database failed.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/global_options.h"
#include "common/status.h"

namespace tandem::cli {

struct FlagArguments {
  std::string name;
  std::string share;
};

// Adds the `flag` subcommand and its own subcommands, bound to `arguments`.
CLI::App* AddFlagSubcommand(CLI::App& app, FlagArguments& arguments);

// Runs the parsed `flag` subcommand and prints its result (text, or JSON
// Lines with --json); the returned error is for the caller to print.
Status RunFlagSubcommand(CLI::App& flag, const GlobalOptions& global,
                         const FlagArguments& arguments);

}  // namespace tandem::cli
