// `tandem validate FILE...`: every check the reader makes, without a
// database: YAML/JSON, operations and their keys, types, required fields,
// names that clash inside the file, and the SQL of up/down/check/sql
// parsed by PostgreSQL's parser. What needs the live schema (does the
// table exist?) is `tandem plan`'s.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/authoring_commands.h"
#include "reader/config_file.h"
#include "reader/migration_directory.h"
#include "reader/reader.h"

namespace tandem::cli {
namespace {

namespace fs = std::filesystem;

// The files `arguments` name, a directory standing for its migration files
// and its config file.
Result<std::vector<std::string>> Expand(const std::vector<std::string>& arguments) {
  std::vector<std::string> files;
  for (const auto& argument : arguments) {
    std::error_code ec;
    if (!fs::is_directory(argument, ec)) {
      files.push_back(argument);
      continue;
    }
    TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> inside, reader::MigrationFilesIn(argument));
    files.insert(files.end(), inside.begin(), inside.end());
    fs::path config = fs::path(argument) / reader::kDefaultConfigFile;
    if (fs::exists(config, ec)) files.push_back(config.string());
  }
  return files;
}

// The number of operations, or -1 for a config file; the reader's error otherwise.
Result<long long> Check(const std::string& file) {
  if (fs::path(file).filename() == reader::kDefaultConfigFile) {
    TANDEM_RETURN_IF_ERROR(reader::ReadConfigFile(file).status());
    return -1;
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Migration migration, reader::ReadMigrationFile(file));
  return static_cast<long long>(migration.operations.size());
}

}  // namespace

Status RunValidate(const std::vector<std::string>& arguments, bool json) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> files, Expand(arguments));
  if (files.empty()) {
    return Status::InvalidInput("validate: no migration files (.yaml, .yml, .json) in " +
                                arguments.front());
  }
  int invalid = 0;
  for (const auto& file : files) {
    Result<long long> checked = Check(file);
    if (!checked.ok()) ++invalid;
    if (json) {
      nlohmann::json line = {
          {"file", file},
          {"valid", checked.ok()},
          {"operations", checked.ok() && *checked >= 0 ? nlohmann::json(*checked) : nullptr},
          {"error",
           checked.ok() ? nlohmann::json(nullptr) : nlohmann::json(checked.status().message())}};
      std::printf("%s\n", line.dump().c_str());
    } else if (checked.ok()) {
      std::printf(
          "%s: ok (%s)\n", file.c_str(),
          *checked < 0 ? "config file" : (std::to_string(*checked) + " operations").c_str());
    } else {
      std::fprintf(stderr, "%s\n", checked.status().message().c_str());
    }
  }
  std::fflush(stdout);
  if (invalid == 0) return Status::Ok();
  return Status::InvalidInput(std::to_string(invalid) + " of " + std::to_string(files.size()) +
                              " files are not valid; fix them at the places named above");
}

}  // namespace tandem::cli
