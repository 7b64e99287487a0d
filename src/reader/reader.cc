// The document level of a migration file: bytes -> YAML tree -> top-level
// keys -> one plan::Operation per `operations` entry. The bodies are read in
// operation_readers.cc; name clashes across operations in file_checks.cc.
#include "reader/reader.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/sha256.h"
#include "common/strings.h"
#include "reader/file_checks.h"
#include "reader/governance_settings.h"
#include "reader/node_reader.h"
#include "reader/operation_readers.h"
#include "reader/settings_sections.h"
#include "reader/switch_settings.h"
#include "reader/throttle_settings.h"
#include "reader/yaml_document.h"

namespace tandem::reader {
namespace {

// `$schema` names the JSON schema editors check a file against.
constexpr std::string_view kTopLevelKeys[] = {
    "$schema",    "name",   "version_schema", "operations", "backfill", "verify",
    "lock",       "run",    "metrics",        "alerts",     "hooks",    "lint",
    "governance", "owners", "schedule",       "switch"};
constexpr std::string_view kSwitchKeys[] = {
    "observe",        "sample_every",      "probes", "max_rollback_rate", "max_deadlocks",
    "max_lock_waits", "max_latency_ratio", "ramp",   "step_every",        "flag"};

// Bytes in the UTF-8 sequence that `lead` starts; 0 if it cannot start one
// (0xC0 and 0xC1 only start overlong forms, 0xF5 and above code points past
// U+10FFFF).
size_t Utf8SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Whether `byte` may follow `lead` in a sequence: a continuation byte, in
// the narrower range some leads allow (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF).
bool IsValidSecondByte(unsigned char lead, unsigned char byte) {
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead == 0xE0) low = 0xA0;
  if (lead == 0xED) high = 0x9F;
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;
  return byte >= low && byte <= high;
}

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) >> 6) == 0x2; }

// Position (in characters) of the first byte that is not valid UTF-8, if any.
std::optional<plan::SourcePos> InvalidUtf8(std::string_view text) {
  plan::SourcePos pos{1, 1};
  for (size_t i = 0; i < text.size();) {
    size_t length = Utf8SequenceLength(static_cast<unsigned char>(text[i]));
    if (length == 0 || i + length > text.size()) return pos;
    if (length > 1 && !IsValidSecondByte(static_cast<unsigned char>(text[i]),
                                         static_cast<unsigned char>(text[i + 1]))) {
      return pos;
    }
    for (size_t k = 2; k < length; ++k) {
      if (!IsContinuationByte(text[i + k])) return pos;
    }
    bool newline = text[i] == '\n';
    pos = newline ? plan::SourcePos{pos.line + 1, 1} : plan::SourcePos{pos.line, pos.column + 1};
    i += length;
  }
  return std::nullopt;
}

// Problems visible before parsing: too large, no content, or not text at all.
void CheckBytes(std::string_view content, ErrorSink* errors) {
  if (content.size() > kMaxMigrationFileBytes) {
    errors->Report({}, "",
                   "the file is larger than " + std::to_string(kMaxMigrationFileBytes / 1024) +
                       " KiB, the limit for a migration file; split it into several migrations");
  } else if (Trim(content).empty()) {
    errors->Report({1, 1}, "", "the file is empty; a migration needs an `operations` list");
  } else if (content.find('\0') != std::string_view::npos) {
    errors->Report({}, "", "not YAML or JSON: the file contains NUL bytes (a binary file?)");
  } else if (auto pos = InvalidUtf8(content)) {
    errors->Report(*pos, "",
                   "not YAML or JSON: the file is not valid UTF-8 here; save it as UTF-8");
  }
}

// Reports an `operations` entry that is not a map with exactly one known key.
bool CheckOperationShape(const YAML::Node& entry, const std::string& path, ErrorSink* errors) {
  if (!entry.IsMap() || entry.size() == 0) {
    FailAt(errors, entry, path,
           "expected an operation such as `add_column: {...}`, got " + Describe(entry));
    return false;
  }
  auto first = entry.begin();
  if (entry.size() > 1) {
    std::string kind = first->first.IsScalar() ? first->first.Scalar() : "";
    bool body_unindented = first->second.IsNull();
    FailAt(errors, entry, path,
           "an operation is a map with exactly one key (its kind), got " +
               std::to_string(entry.size()) + " keys; " +
               (body_unindented ? "indent the fields of `" + kind + "` under it"
                                : std::string("start each operation with its own `- `")));
    return false;
  }
  std::string kind = first->first.IsScalar() ? first->first.Scalar() : "";
  KeyList kinds = OperationKinds();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    FailAt(errors, first->first, path,
           "unknown operation \"" + kind + "\"" + DidYouMean(kind, kinds) +
               " (valid operations: " + JoinKeys(kinds) + ")");
    return false;
  }
  if (first->second.IsNull()) {
    FailAt(errors, first->first, path + "." + kind,
           "the operation has no fields; indent its fields under `" + kind + ":`");
    return false;
  }
  return true;
}

plan::Operation ReadOperation(const YAML::Node& entry, size_t index, ErrorSink* errors) {
  plan::Operation op;
  std::string path = "operations[" + std::to_string(index) + "]";
  if (!CheckOperationShape(entry, path, errors)) return op;
  auto first = entry.begin();
  op.kind = first->first.Scalar();
  op.body = ReadOperationBody(errors, op.kind, first->second, path + "." + op.kind, &op.at);
  op.at.Set("", PosOf(first->first));
  return op;
}

void ReadOperations(const MapReader& top, plan::Migration* migration) {
  YAML::Node list = top.Value("operations");
  if (!top.ok()) return;
  if (!list.IsDefined()) return top.FailMissing("operations");
  if (!list.IsSequence()) {
    std::string advice = list.IsMap() ? "put `- ` before each operation"
                                      : "list the operations, e.g. `operations: [{drop_table: "
                                        "{name: t}}]`";
    return top.Fail("operations",
                    "expected a list of operations, got " + Describe(list) + "; " + advice);
  }
  if (list.size() == 0) {
    return top.Fail("operations", "the list is empty; a migration needs at least one operation");
  }
  for (size_t i = 0; i < list.size() && top.ok(); ++i) {
    migration->operations.push_back(ReadOperation(list[i], i, top.errors()));
  }
}

std::string DefaultName(const std::string& file_name) {
  return std::filesystem::path(file_name).stem().string();
}

void ReadNames(const MapReader& top, const std::string& file_name, plan::Migration* migration) {
  migration->name = top.Has("name") ? top.Identifier("name") : DefaultName(file_name);
  migration->version_schema =
      top.Has("version_schema") ? top.Identifier("version_schema") : migration->name;
  if (!top.ok() || top.Has("version_schema")) return;
  // The name becomes a schema name, so it has the same limits.
  if (auto problem = IdentifierProblem(migration->version_schema)) {
    std::string where = top.Has("name") ? "name" : "the file name (the default migration name)";
    top.errors()->Report(
        top.PosOf("name"), "version_schema",
        "taken from " + where + ": " + *problem + "; or set `version_schema` explicitly");
  }
}

plan::Migration ReadDocument(const YAML::Node& root, const std::string& file_name,
                             ErrorSink* errors) {
  plan::Migration migration;
  MapReader top(errors, root, "", kTopLevelKeys);
  top.String("$schema");  // any text: tandem does not use it
  ReadNames(top, file_name, &migration);
  ReadOperations(top, &migration);
  ReadSettings(top, &migration.settings);
  // A migration's own sections, never the config file's.
  ReadGovernanceSections(top, &migration.settings);
  if (std::optional<MapReader> section = top.Map("switch", kSwitchKeys)) {
    ReadSwitchSettings(*section, &migration.settings.switch_to_new);
  }
  if (!errors->failed()) CheckAcrossOperations(migration, errors);
  return migration;
}

}  // namespace

std::span<const std::string_view> MigrationFileKeys() { return kTopLevelKeys; }

Result<plan::Migration> ParseMigration(std::string_view content, const std::string& file_name) {
  ErrorSink errors(file_name);
  CheckBytes(content, &errors);
  if (errors.failed()) return errors.status();
  plan::Migration migration;
  std::string document;
  try {
    YAML::Node root = LoadSingleDocument(std::string(content), &errors);
    if (errors.failed()) return errors.status();
    migration = ReadDocument(root, file_name, &errors);
    document = YAML::Dump(root);
  } catch (const YAML::Exception& e) {
    // The readers avoid throwing accessors; this is a safety net, still a clean message.
    errors.Report({e.mark.line + 1, e.mark.column + 1}, "", "cannot read the file: " + e.msg);
  }
  if (errors.failed()) return errors.status();
  migration.file = file_name;
  migration.content = std::string(content);
  migration.checksum = Sha256Hex(content);
  migration.document_checksum = Sha256Hex(document);
  return migration;
}

Result<std::string> ReadLimitedFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidInput(path + ": is a directory; give the path of a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidInput(path + ": cannot open: " + std::strerror(errno) +
                                "; check the path");
  }
  // One byte past the limit tells a file over it from one at it, and a
  // device or pipe that never ends is not read to the end.
  std::string bytes(kMaxMigrationFileBytes + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) return Status::InvalidInput(path + ": cannot read: " + std::strerror(errno));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

Result<plan::Migration> ReadMigrationFile(const std::string& path) {
  TANDEM_ASSIGN_OR_RETURN(std::string bytes, ReadLimitedFile(path));
  return ParseMigration(bytes, path);
}

}  // namespace tandem::reader
