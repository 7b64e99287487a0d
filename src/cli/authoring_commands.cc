#include "cli/authoring_commands.h"

namespace tandem::cli {

void AddAuthoringSubcommands(CLI::App& app, AuthoringArguments& arguments) {
  CLI::App* create = app.add_subcommand(
      "new",
      "write a migration skeleton NAME (pgroll's format) numbered after the newest file in "
      "--dir, e.g. 03_add_email.yaml; never overwrites a file");
  create->add_option("NAME", arguments.name, "the migration's name, e.g. add_email")->required();
  create->add_option("--dir", arguments.dir, "directory of the migrations")->capture_default_str();
  create->add_option("--format", arguments.format, "yaml or json")
      ->check(CLI::IsMember({"yaml", "json"}))
      ->capture_default_str();

  CLI::App* validate = app.add_subcommand(
      "validate",
      "check migration files offline, without a database: their YAML/JSON, operations, keys, "
      "types and SQL syntax (a directory: every migration file in it; tandem.yaml: as the "
      "config file). Exit 2 naming file:line:column of each bad file");
  validate->add_option("FILE", arguments.files, "migration files or directories")->required();

  app.add_subcommand("schema",
                     "print a JSON Schema (draft 2020-12) of the migration file format, pgroll's "
                     "operations and tandem's sections, for editors");

  CLI::App* latest = app.add_subcommand(
      "latest",
      "print the newest version schema, the search_path and URL an application uses for it "
      "(PostgreSQL) or the names it queries (SQLite); with DIR, from the newest file there, "
      "without a database");
  latest->add_option("DIR", arguments.latest_dir, "directory of migrations (optional)");

  CLI::App* config = app.add_subcommand(
      "config",
      "show every setting with its value and where it comes from (FILE's sections, the "
      "config file, the default); flags given to a command override them");
  config->add_option("FILE", arguments.config_file, "a migration file (optional)");
}

std::optional<Status> RunAuthoringSubcommand(const CLI::App& app, const GlobalOptions& global,
                                             const AuthoringArguments& arguments) {
  if (app.got_subcommand("new")) return RunNew(arguments, global.json);
  if (app.got_subcommand("validate")) return RunValidate(arguments.files, global.json);
  if (app.got_subcommand("schema")) return RunSchema(global.json);
  if (app.got_subcommand("latest")) return RunLatest(global, arguments.latest_dir);
  if (app.got_subcommand("config")) return RunConfig(global, arguments.config_file);
  return std::nullopt;
}

}  // namespace tandem::cli
