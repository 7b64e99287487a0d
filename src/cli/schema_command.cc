// `tandem schema`: the migration file format as a JSON Schema, for editors
// (e.g. VS Code's yaml.schemas, or a JSON file's "$schema" key).
#include <cstdio>

#include "cli/authoring_commands.h"
#include "reader/file_schema.h"

namespace tandem::cli {

// With --json, on one line like all --json output.
Status RunSchema(bool json) {
  std::printf("%s\n", reader::MigrationFileSchema(json ? -1 : 2).c_str());
  return Status::Ok();
}

}  // namespace tandem::cli
