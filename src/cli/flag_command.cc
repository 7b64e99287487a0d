#include "cli/flag_command.h"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "backends/backend.h"
#include "common/flag_decision.h"
#include "common/rfc3339.h"
#include "core/flags.h"

namespace tandem::cli {
namespace {

using json = nlohmann::ordered_json;

constexpr char kFlagHelp[] =
    "feature flags of the migration in progress, each ramped from 0% to 100% of subjects "
    "(users, tenants); applications ask per subject in SQL (`tandem flag sql`)";

constexpr char kFlagFooter[] =
    "\nA subject is in when the bucket of its hash (FNV-1a over the Unicode code points of\n"
    "NAME:SUBJECT, then murmur3's 32-bit finalizer, mod 10000) is below the share in\n"
    "hundredths of a percent: one subject stays on one side while the share holds, and one\n"
    "that is in stays in as the share grows. Ask on PostgreSQL with\n"
    "  SELECT tandem.flag('read_new', 'user-42');  -- a third argument names the schema\n"
    "and on SQLite with the query `tandem flag sql` prints (:flag and :subject bound).\n";

std::optional<std::string> NameIfGiven(const FlagArguments& arguments) {
  if (arguments.name.empty()) return std::nullopt;
  return arguments.name;
}

double Percent(int basis_points) { return basis_points / 100.0; }

json TimeOrNull(const std::string& database_time) {
  std::optional<std::string> text = DatabaseTimeToRfc3339(database_time);
  return text ? json(*text) : json(nullptr);
}

// One line of --json: the flag, its share and when (`time_key`).
void PrintJson(const core::MigrationRecord& migration, const std::string& name, int basis_points,
               const char* time_key, const std::string& database_time) {
  json line = {{"migration", migration.name},
               {"schema", migration.schema},
               {"flag", name},
               {"percent", Percent(basis_points)},
               {time_key, TimeOrNull(database_time)}};
  std::printf("%s\n", line.dump().c_str());
}

void PrintSettings(const core::MigrationFlags<core::FlagSetting>& got, bool as_json) {
  for (const auto& flag : got.flags) {
    if (as_json) {
      PrintJson(got.migration, flag.name, flag.basis_points, "updated_at", flag.updated_at);
      continue;
    }
    std::printf("%-24s %7s  %s\n", flag.name.c_str(), FormatFlagShare(flag.basis_points).c_str(),
                flag.updated_at.empty() ? "(not set)" : ("set " + flag.updated_at).c_str());
  }
  if (!as_json && got.flags.empty()) {
    std::printf("no flags set on migration %s; `tandem flag set NAME 10%%` sets one\n",
                got.migration.name.c_str());
  }
}

void PrintChanges(const core::MigrationFlags<core::FlagChange>& got, bool as_json) {
  for (const auto& change : got.flags) {
    if (as_json) {
      PrintJson(got.migration, change.name, change.basis_points, "at", change.at);
      continue;
    }
    std::printf("%s  %-24s %7s\n", change.at.c_str(), change.name.c_str(),
                FormatFlagShare(change.basis_points).c_str());
  }
  if (!as_json && got.flags.empty()) {
    std::printf("no flag changes recorded for migration %s\n", got.migration.name.c_str());
  }
}

void PrintQuery(const std::string& query, backend::Engine engine, bool as_json) {
  if (as_json) {
    std::printf("%s\n", json{{"query", query}, {"parameters", {"flag", "subject"}}}.dump().c_str());
    return;
  }
  std::printf("-- true when :subject is in on flag :flag of the migration in progress%s\n%s;\n",
              engine == backend::Engine::kSqlite ? " (bind both, e.g. as named parameters)" : "",
              query.c_str());
}

}  // namespace

CLI::App* AddFlagSubcommand(CLI::App& app, FlagArguments& arguments) {
  CLI::App* flag = app.add_subcommand("flag", kFlagHelp);
  flag->footer(kFlagFooter);
  flag->require_subcommand(1);
  CLI::App* set =
      flag->add_subcommand("set", "set flag NAME to SHARE of subjects, e.g. 10% or 0.5%");
  set->add_option("NAME", arguments.name, "the flag, e.g. read_new")->required();
  set->add_option("SHARE", arguments.share, "0% to 100%, at most two decimals")->required();
  CLI::App* get = flag->add_subcommand("get", "show every flag, or NAME, with its share");
  get->add_option("NAME", arguments.name, "one flag");
  CLI::App* history = flag->add_subcommand(
      "history", "list every change of the flags (or of NAME), from the event log");
  history->add_option("NAME", arguments.name, "one flag");
  flag->add_subcommand("sql", "print the query an application runs to ask for a subject");
  return flag;
}

Status RunFlagSubcommand(CLI::App& flag, const GlobalOptions& global,
                         const FlagArguments& arguments) {
  std::string command = flag.get_subcommands().front()->get_name();
  std::optional<int> share;
  if (command == "set") {
    TANDEM_ASSIGN_OR_RETURN(share, ParseFlagShare(arguments.share));
    TANDEM_RETURN_IF_ERROR(core::CheckFlagName(arguments.name));
  }
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Database> database,
                          backend::OpenDatabase(ResolveUrl(global.url)));
  core::Flags flags(*database, global.schema, global.state_schema);
  if (command == "set") {
    TANDEM_ASSIGN_OR_RETURN(auto set, flags.Set(arguments.name, *share));
    if (!global.json) std::printf("migration %s: ", set.migration.name.c_str());
    PrintSettings(set, global.json);
  } else if (command == "get") {
    TANDEM_ASSIGN_OR_RETURN(auto got, flags.Get(NameIfGiven(arguments)));
    if (!global.json) std::printf("migration %s\n", got.migration.name.c_str());
    PrintSettings(got, global.json);
  } else if (command == "history") {
    TANDEM_ASSIGN_OR_RETURN(auto changes, flags.History(NameIfGiven(arguments)));
    PrintChanges(changes, global.json);
  } else {
    PrintQuery(flags.Query(), database->engine(), global.json);
  }
  std::fflush(stdout);
  return Status::Ok();
}

}  // namespace tandem::cli
