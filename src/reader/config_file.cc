#include "reader/config_file.h"

#include "common/strings.h"
#include "reader/node_reader.h"
#include "reader/reader.h"
#include "reader/settings_sections.h"
#include "reader/yaml_document.h"

namespace tandem::reader {

Result<plan::Settings> ParseConfig(std::string_view content, const std::string& file_name) {
  plan::Settings settings;
  if (Trim(content).empty()) return settings;  // an empty config sets nothing
  ErrorSink errors(file_name);
  if (content.size() > kMaxMigrationFileBytes) {
    errors.Report({}, "",
                  "the file is larger than the " + std::to_string(kMaxMigrationFileBytes / 1024) +
                      " KiB a config may be");
    return errors.status();
  }
  try {
    YAML::Node root = LoadSingleDocument(std::string(content), &errors);
    if (errors.failed()) return errors.status();
    MapReader top(&errors, root, "", kSettingsSections);
    ReadSettings(top, &settings);
  } catch (const YAML::Exception& e) {
    errors.Report({e.mark.line + 1, e.mark.column + 1}, "", "cannot read the file: " + e.msg);
  }
  if (errors.failed()) return errors.status();
  return settings;
}

Result<plan::Settings> ReadConfigFile(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(std::string bytes, ReadLimitedFile(path));
  return ParseConfig(bytes, path);
}

}  // namespace tandem::reader
