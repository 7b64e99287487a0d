// The one YAML document of a migration file, read with bounded work.
//
// yaml-cpp 0.7's LoadAll never returns on some malformed streams (a `,`
// outside any bracket, e.g. a trailing comma after a JSON file's closing
// brace): its parser hands out an empty document without consuming the
// token, again and again, and the list of documents grows until memory runs
// out. So the documents are counted here with YAML::Parser, stopping at the
// second one, and a document that starts where the previous one started is
// reported as a token the parser could not use. Internal to the reader module.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "reader/messages.h"

namespace tandem::reader {

// The root of the file's single document: a map, checked to be one. Reports
// to `errors` (and returns an undefined node) when `content` is not YAML, has
// no content, holds more than one document, or its root is not a map.
YAML::Node LoadSingleDocument(const std::string& content, ErrorSink* errors);

}  // namespace tandem::reader
