#include "reader/migration_directory.h"

#include <algorithm>
#include <filesystem>

#include "reader/config_file.h"
#include "reader/reader.h"

namespace tandem::reader {

Result<std::vector<std::string>> MigrationFilesIn(const std::string& dir) {
  std::error_code error;
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    std::string ext = entry.path().extension().string();
    if (entry.path().filename() == kDefaultConfigFile) continue;
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
      paths.push_back(entry.path().string());
    }
  }
  if (error) {
    return Status::InvalidInput("cannot read directory \"" + dir + "\": " + error.message());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

Result<std::vector<plan::Migration>> ReadMigrationDirectory(const std::string& dir) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> paths, MigrationFilesIn(dir));
  std::vector<plan::Migration> migrations;
  for (const auto& path : paths) {
    TANDEM_ASSIGN_OR_RETURN(plan::Migration m, ReadMigrationFile(path));
    migrations.push_back(std::move(m));
  }
  if (migrations.empty()) {
    return Status::InvalidInput("no migration files (*.yaml, *.yml, *.json) in \"" + dir + "\"");
  }
  return migrations;
}

}  // namespace tandem::reader
