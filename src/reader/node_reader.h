// Typed, position-aware access to the maps of one migration file.
//
// Every problem goes to the ErrorSink shared by all readers of a file (see
// messages.h). The first problem wins and later reads quietly return
// defaults, so the per-operation readers are straight-line code that need not
// test for failure after every field. Internal to the reader module.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "plan/migration.h"
#include "reader/messages.h"

namespace tandem::reader {

enum class Need { kOptional, kRequired };

// One map of the file. Construction reports a non-map node, keys not in
// `known_keys` (with a suggestion for typos), non-text keys and repeated keys.
// Getters of an absent optional key return a default; of an absent required
// key report "required field is missing". Cheap to copy (YAML::Node is a handle).
class MapReader {
 public:
  MapReader(ErrorSink* errors, const YAML::Node& node, std::string path, KeyList known_keys);

  bool ok() const { return ok_ && !errors_->failed(); }
  bool Has(std::string_view key) const;
  // The value under `key`; an undefined node when absent.
  YAML::Node Value(std::string_view key) const;
  std::string PathOf(std::string_view key) const;
  const std::string& path() const { return path_; }
  plan::SourcePos pos() const { return reader::PosOf(node_); }
  // Position of the value under `key` (of the key when the value is empty),
  // else the map's own position.
  plan::SourcePos PosOf(std::string_view key) const;
  ErrorSink* errors() const { return errors_; }

  // Records the map's position under `prefix` and, for each key, the value's
  // position under prefix+key, list elements as key[i], map entries as key.name.
  void RecordPositions(plan::Positions* at, const std::string& prefix = "") const;

  // Reports `problem` at the value under `key` (or at the map itself).
  void Fail(std::string_view key, std::string_view problem) const;
  void FailHere(std::string_view problem) const;
  // Reports "required field is missing" with a hint naming what to give;
  // `why` says when a field is required only in some cases.
  void FailMissing(std::string_view key, std::string_view why = "") const;

  // Any scalar's text: `default: 0` reads as "0".
  std::string String(std::string_view key, Need need = Need::kOptional) const;
  // A name: non-empty, at most 63 bytes.
  std::string Identifier(std::string_view key, Need need = Need::kOptional) const;
  // SQL checked with PostgreSQL's parser. An empty optional value reads as absent.
  std::string Expression(std::string_view key, Need need = Need::kOptional) const;
  std::string Statements(std::string_view key, Need need = Need::kOptional) const;
  std::string TypeName(std::string_view key, Need need = Need::kOptional) const;
  // One of `allowed`, matched case-insensitively; returns the allowed spelling.
  std::string Enum(std::string_view key, KeyList allowed, Need need = Need::kOptional) const;
  bool Bool(std::string_view key, bool fallback = false) const;
  std::optional<bool> OptionalBool(std::string_view key) const;
  std::optional<int64_t> Int(std::string_view key, Need need = Need::kOptional) const;
  // Absent, explicit null (pgroll's "remove"), or any scalar's text.
  plan::NullableString NullableText(std::string_view key) const;
  // A list of names; a repeated name is an error.
  std::vector<std::string> IdentifierList(std::string_view key, Need need = Need::kOptional) const;
  // A list of any scalars' text.
  std::vector<std::string> StringList(std::string_view key, Need need = Need::kOptional) const;
  // A map of column name -> SQL expression (create_constraint's `up`/`down`).
  std::map<std::string, std::string> ExpressionMap(std::string_view key,
                                                   Need need = Need::kOptional) const;
  // A nested map, or nullopt when absent (or on error).
  std::optional<MapReader> Map(std::string_view key, KeyList known_keys,
                               Need need = Need::kOptional) const;
  // A list of maps, each read with `known_keys`; paths are key[i].
  std::vector<MapReader> MapList(std::string_view key, KeyList known_keys,
                                 Need need = Need::kOptional) const;

 private:
  // The value's text if it is a non-null scalar; reports other shapes.
  std::optional<std::string> Scalar(std::string_view key, Need need,
                                    std::string_view expected) const;
  void CheckKeys(KeyList known_keys);
  const YAML::Node* FindKey(std::string_view key) const;

  ErrorSink* errors_;
  YAML::Node node_;
  std::string path_;
  bool ok_ = false;
  // Key text -> (key node, value node), in file order.
  std::vector<std::pair<YAML::Node, YAML::Node>> entries_;
};

}  // namespace tandem::reader
