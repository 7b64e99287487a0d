// `tandem latest [DIR]`: what an application points at to use the newest
// version. From the database: the version schema of the migration in
// progress (else the last completed one) and the live schema. From DIR:
// the newest migration file's version schema, without a database.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "cli/authoring_commands.h"
#include "cli/output.h"
#include "common/strings.h"
#include "core/runner.h"
#include "reader/migration_directory.h"

namespace tandem::cli {
namespace {

using json = nlohmann::ordered_json;

json TextOrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

// `url` without its password (tandem never prints one): the application
// brings its own, or libpq finds it in PGPASSWORD or ~/.pgpass.
std::string WithoutPassword(std::string url) {
  size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    size_t at = url.find('@', scheme);
    size_t colon = url.find(':', scheme + 3);
    if (at != std::string::npos && colon != std::string::npos && colon < at)
      url.erase(colon, at - colon);
    return url;
  }
  size_t key = url.find("password=");
  if (key == std::string::npos) return url;
  size_t end = url[key + 9] == '\'' ? url.find('\'', key + 10) : url.find(' ', key);
  url.erase(key, end == std::string::npos ? std::string::npos : end + 1 - key);
  return std::string(Trim(url));
}

// `url` with libpq's options setting the search path: a URI gets a query
// parameter, a key=value string one more pair; empty when the URL sets
// options of its own (then the application adds search_path there).
std::string WithSearchPath(const std::string& url, const std::string& search_path) {
  if (url.find("options=") != std::string::npos) return "";
  if (url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0) {
    char separator = url.find('?') == std::string::npos ? '?' : '&';
    return url + separator + "options=-csearch_path%3D" + search_path;
  }
  return url + " options='-csearch_path=" + search_path + "'";
}

struct Latest {
  std::string engine;  // postgres | sqlite
  std::string migration;
  std::string version_schema;
  std::string search_path;
  std::string url;
  std::string live_schema;
  std::string live_search_path;
  std::string live_url;
  std::vector<std::pair<std::string, std::string>> tables;  // SQLite: table, what to query
};

void Print(const Latest& l, bool as_json) {
  if (as_json) {
    json tables = json::array();
    for (const auto& [table, access] : l.tables) {
      tables.push_back({{"table", table}, {"access", access}});
    }
    json line = {{"engine", TextOrNull(l.engine)},
                 {"migration", TextOrNull(l.migration)},
                 {"version_schema", l.version_schema},
                 {"search_path", TextOrNull(l.search_path)},
                 {"url", TextOrNull(l.url)},
                 {"live_schema", TextOrNull(l.live_schema)},
                 {"live_search_path", TextOrNull(l.live_search_path)},
                 {"live_url", TextOrNull(l.live_url)},
                 {"tables", tables}};
    std::printf("%s\n", line.dump().c_str());
    return;
  }
  std::printf("version schema: %s%s\n", l.version_schema.c_str(),
              l.migration.empty() ? "" : (" (migration \"" + l.migration + "\")").c_str());
  if (l.engine == "sqlite") {
    std::printf(
        "SQLite has no search_path: the new version of a table is the view <table>__%s, or the "
        "table itself where the migration only adds columns\n",
        l.version_schema.c_str());
    for (const auto& [table, access] : l.tables) {
      std::printf("  %s: %s\n", table.c_str(), access.c_str());
    }
    return;
  }
  std::printf("search_path: %s\n", l.search_path.c_str());
  if (!l.url.empty()) std::printf("url: %s\n", l.url.c_str());
  if (!l.live_schema.empty()) {
    std::printf("live schema (follows `tandem switch`): search_path %s\n",
                l.live_search_path.c_str());
    if (!l.live_url.empty()) std::printf("live url: %s\n", l.live_url.c_str());
  }
}

Result<Latest> FromFiles(const GlobalOptions& global, const std::string& dir) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<plan::Migration> migrations,
                          reader::ReadMigrationDirectory(dir));
  const plan::Migration& newest = migrations.back();
  Latest latest;
  latest.migration = newest.name;
  latest.version_schema = global.schema + "_" + newest.version_schema;
  latest.search_path = latest.version_schema;
  return latest;
}

Result<Latest> FromDatabase(const GlobalOptions& global) {
  std::string url = ResolveUrl(global.url);
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Database> database, backend::OpenDatabase(url));
  auto reporter = MakeReporter(global.json);
  core::RunnerOptions options;
  options.schema = global.schema;
  options.state_schema = global.state_schema;
  core::Runner runner(*database, options, *reporter);
  TANDEM_ASSIGN_OR_RETURN(core::StatusReport report, runner.GetStatus());
  if (report.version_schema.empty()) {
    return Status::Refused("no migration has been started on schema \"" + global.schema +
                           "\" yet, so there is no version to point an application at; "
                           "`tandem latest DIR` reads it from the migration files instead");
  }
  Latest latest;
  const auto& record = report.active ? report.active : report.last_completed;
  if (record) latest.migration = record->name;
  latest.version_schema = report.version_schema;
  if (database->engine() == backend::Engine::kSqlite) {
    latest.engine = "sqlite";
    latest.tables = report.new_version_access;
    return latest;
  }
  latest.engine = "postgres";
  latest.search_path = latest.version_schema;
  url = WithoutPassword(url);
  latest.url = WithSearchPath(url, latest.search_path);
  if (!report.live_schema.empty()) {
    latest.live_schema = report.live_schema;
    latest.live_search_path = report.live_schema + "," + global.schema;
    latest.live_url = WithSearchPath(url, latest.live_search_path);
  }
  return latest;
}

}  // namespace

Status RunLatest(const GlobalOptions& global, const std::string& dir) {
  Result<Latest> latest = dir.empty() ? FromDatabase(global) : FromFiles(global, dir);
  if (!latest.ok()) return latest.status();
  Print(*latest, global.json);
  return Status::Ok();
}

}  // namespace tandem::cli
