// Readers of each operation kind's body (the map under `add_column:` etc.).
// Internal to the reader module.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "plan/migration.h"
#include "reader/node_reader.h"

namespace tandem::reader {

// Every operation kind, spelled as in the file.
KeyList OperationKinds();

// Every operation kind with the keys its body may have (reader/file_schema.h
// builds the editors' JSON Schema from them, so the two cannot drift apart).
struct OperationKeys {
  std::string_view kind;
  KeyList keys;
};
std::vector<OperationKeys> OperationKeyTable();

// Reads `body`, the value under an operation key of `kind` (one of
// OperationKinds()), found at `path` ("operations[2].alter_column"). Records
// field positions in `at`. Problems go to `errors`; the body is then partial.
plan::OperationBody ReadOperationBody(ErrorSink* errors, std::string_view kind,
                                      const YAML::Node& body, const std::string& path,
                                      plan::Positions* at);

// create_table's body, with its columns and constraints checked against each
// other (in table_readers.cc).
plan::OperationBody ReadCreateTable(const MapReader& m);

// create_index's `columns`: a list of names, or a map of name -> settings.
std::vector<plan::IndexColumn> ReadIndexColumns(const MapReader& m, plan::Positions* at);

}  // namespace tandem::reader
