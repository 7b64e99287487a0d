// What a person is told when the command line names no command tandem
// knows, instead of CLI11's "A subcommand is required".
#pragma once

#include <CLI/CLI.hpp>

#include "common/status.h"

namespace tandem::cli {

// For a parse of `app` that found no command: names the word that stood
// where the command goes (with the closest command when it looks like a
// typo), or says that none was given; both point to `tandem --help`.
Status NoCommandError(CLI::App& app);

}  // namespace tandem::cli
