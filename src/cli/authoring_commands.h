// Commands for writing and checking migrations, and for seeing settings,
// as pgroll users expect them:
//
//   tandem new NAME [--dir DIR] [--format yaml|json]   a numbered skeleton
//   tandem validate FILE...    check files offline (no database)
//   tandem schema              the file format as a JSON Schema, for editors
//   tandem latest [DIR]        the newest version schema and how to use it
//   tandem config [FILE]       every setting, its value and where it came from
//
// Each lives in its own cli/*_command.cc file.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/global_options.h"
#include "common/status.h"
#include "plan/migration.h"

namespace tandem::cli {

struct AuthoringArguments {
  std::string name;                // new
  std::string dir = ".";           // new
  std::string format = "yaml";     // new
  std::vector<std::string> files;  // validate
  std::string latest_dir;          // latest: from files instead of the database
  std::string config_file;         // config: a migration file whose sections to show
};

// Adds the subcommands above to `app`, bound to `arguments`.
void AddAuthoringSubcommands(CLI::App& app, AuthoringArguments& arguments);

// Runs whichever of them was parsed; nullopt when none was.
std::optional<Status> RunAuthoringSubcommand(const CLI::App& app, const GlobalOptions& global,
                                             const AuthoringArguments& arguments);

// The shared config file: --config FILE (which must exist), else
// ./tandem.yaml when there is one, else no settings.
Result<plan::Settings> LoadSharedConfig(const std::string& config_flag);

Status RunNew(const AuthoringArguments& arguments, bool json);
Status RunValidate(const std::vector<std::string>& files, bool json);
Status RunSchema(bool json);
Status RunLatest(const GlobalOptions& global, const std::string& dir);
Status RunConfig(const GlobalOptions& global, const std::string& migration_file);

}  // namespace tandem::cli
