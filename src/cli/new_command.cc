// `tandem new NAME`: a migration skeleton, numbered as tandem's and pgroll's
// example files are (01_..., 02_...): one past the highest number in the
// directory, with as many digits as the files there use (two at least).
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/authoring_commands.h"
#include "common/rfc3339.h"
#include "reader/migration_directory.h"
#include "reader/reader.h"

namespace tandem::cli {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMinDigits = 2;
constexpr size_t kMaxDigits = 18;  // what an unsigned long long holds

// The leading digits of a file name followed by '_' ("03" of 03_add.yaml).
std::string NumberOf(const std::string& stem) {
  size_t digits = 0;
  while (digits < stem.size() && std::isdigit(static_cast<unsigned char>(stem[digits]))) ++digits;
  if (digits == 0 || digits >= stem.size() || stem[digits] != '_') return "";
  return stem.substr(0, digits);
}

struct Numbering {
  unsigned long long next = 1;
  size_t digits = kMinDigits;
};

Result<Numbering> NextNumber(const std::string& dir) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<std::string> files, reader::MigrationFilesIn(dir));
  Numbering numbering;
  for (const auto& file : files) {
    std::string number = NumberOf(fs::path(file).stem().string());
    if (number.empty() || number.size() > kMaxDigits) continue;
    numbering.next = std::max(numbering.next, std::stoull(number) + 1);
    numbering.digits = std::max(numbering.digits, number.size());
  }
  return numbering;
}

std::string Padded(unsigned long long number, size_t digits) {
  std::string text = std::to_string(number);
  return std::string(digits > text.size() ? digits - text.size() : 0, '0') + text;
}

// A skeleton that reads cleanly (`tandem validate` passes it) and shows the
// shape; `plan` then names the table to change.
std::string Skeleton(const std::string& name, const std::string& format) {
  if (format == "json") {
    nlohmann::ordered_json file = {
        {"operations",
         nlohmann::ordered_json::array(
             {{{"add_column",
                {{"table", "my_table"},
                 {"column", {{"name", "my_column"}, {"type", "text"}, {"nullable", true}}}}}}})}};
    return file.dump(2) + "\n";
  }
  return "# " + name +
         ": a migration in pgroll's format (README, \"Migration files\").\n"
         "# Check it with `tandem validate` (offline) and `tandem plan` (against the database).\n"
         "# Operations: create_table, add_column, alter_column, drop_column, rename_column,\n"
         "# rename_table, drop_table, create_index, drop_index, create_constraint,\n"
         "# drop_constraint, drop_multicolumn_constraint, rename_constraint,\n"
         "# set_replica_identity, sql. `tandem schema` gives editors their keys.\n"
         "operations:\n"
         "  - add_column:\n"
         "      table: my_table\n"
         "      column:\n"
         "        name: my_column\n"
         "        type: text\n"
         "        nullable: true\n"
         "# tandem's own settings (optional), e.g.:\n"
         "# backfill:\n"
         "#   max_rows_per_second: 5000\n";
}

// Creates `path` with `content`; kRefused when it exists already.
Status WriteNew(const std::string& path, const std::string& content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST) {
    return Status::Refused(path +
                           " exists already; tandem new never overwrites a file: choose "
                           "another name or remove it");
  }
  if (fd < 0) {
    return Status::InvalidInput(path + ": cannot create (" + std::strerror(errno) + ")");
  }
  ssize_t written = write(fd, content.data(), content.size());
  close(fd);
  if (written != static_cast<ssize_t>(content.size())) {
    return Status::Error(ErrorKind::kInternal, path + ": could not write the whole skeleton");
  }
  return Status::Ok();
}

}  // namespace

Status RunNew(const AuthoringArguments& arguments, bool json) {
  std::string name = arguments.name;
  for (std::string_view ext : {".yaml", ".yml", ".json"}) {
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) {
      name.resize(name.size() - ext.size());
    }
  }
  if (name.empty() || name.find('/') != std::string::npos) {
    return Status::InvalidInput("new: NAME \"" + arguments.name +
                                "\" must be a plain name such as add_email (use --dir for where)");
  }
  std::string stem = name;
  if (NumberOf(name).empty()) {
    TANDEM_ASSIGN_OR_RETURN(Numbering numbering, NextNumber(arguments.dir));
    stem = Padded(numbering.next, numbering.digits) + "_" + name;
  }
  std::string path = (fs::path(arguments.dir) / (stem + "." + arguments.format)).string();
  std::string content = Skeleton(stem, arguments.format);
  // The name is the default migration name and becomes a schema name.
  auto parsed = reader::ParseMigration(content, path);
  if (!parsed.ok()) {
    return Status::InvalidInput("new: \"" + stem +
                                "\" cannot name a migration: " + parsed.status().message());
  }
  TANDEM_RETURN_IF_ERROR(WriteNew(path, content));
  if (json) {
    nlohmann::json line = {
        {"event", "created"}, {"time", NowRfc3339()}, {"file", path}, {"migration", stem}};
    std::printf("%s\n", line.dump().c_str());
  } else {
    std::printf("created %s (migration \"%s\")\n", path.c_str(), stem.c_str());
  }
  return Status::Ok();
}

}  // namespace tandem::cli
