#include "reader/node_reader.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "common/strings.h"
#include "lint/pg_parse.h"

namespace tandem::reader {
namespace {

std::optional<bool> ParseBool(std::string_view text) {
  std::string lower = ToLower(text);
  if (lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "no" || lower == "off") return false;
  return std::nullopt;
}

plan::SourcePos ValuePos(const YAML::Node& key, const YAML::Node& value) {
  // yaml-cpp places an empty value at the next token, often on a later line.
  if (value.IsNull()) return PosOf(key);
  return PosOf(value);
}

}  // namespace

MapReader::MapReader(ErrorSink* errors, const YAML::Node& node, std::string path,
                     KeyList known_keys)
    : errors_(errors), node_(node), path_(std::move(path)) {
  if (!node.IsMap()) {
    FailAt(errors_, node_, path_, "expected a map of fields, got " + Describe(node_));
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) entries_.emplace_back(it->first, it->second);
  CheckKeys(known_keys);
  ok_ = !errors_->failed();
}

void MapReader::CheckKeys(KeyList known_keys) {
  std::map<std::string, plan::SourcePos> seen;
  for (const auto& [key, value] : entries_) {
    if (!key.IsScalar()) {
      FailAt(errors_, key, path_, "keys must be plain names, got " + Describe(key));
      return;
    }
    const std::string& name = key.Scalar();
    auto [it, inserted] = seen.emplace(name, reader::PosOf(key));
    if (!inserted) {
      FailAt(errors_, key, PathOf(name),
             "given twice (first at line " + std::to_string(it->second.line) + "); keep only one");
      return;
    }
    if (std::find(known_keys.begin(), known_keys.end(), name) == known_keys.end()) {
      FailAt(errors_, key, PathOf(name),
             "unknown key " + Quoted(name) + DidYouMean(name, known_keys) +
                 " (allowed here: " + JoinKeys(known_keys) + ")");
      return;
    }
  }
}

const YAML::Node* MapReader::FindKey(std::string_view key) const {
  for (const auto& entry : entries_) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) return &entry.second;
  }
  return nullptr;
}

bool MapReader::Has(std::string_view key) const { return FindKey(key) != nullptr; }

YAML::Node MapReader::Value(std::string_view key) const {
  const YAML::Node* value = FindKey(key);
  return value ? *value : YAML::Node(YAML::NodeType::Undefined);
}

std::string MapReader::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

plan::SourcePos MapReader::PosOf(std::string_view key) const {
  for (const auto& [k, value] : entries_) {
    if (k.IsScalar() && k.Scalar() == key) return ValuePos(k, value);
  }
  return pos();
}

void MapReader::RecordPositions(plan::Positions* at, const std::string& prefix) const {
  at->Set(prefix, pos());
  for (const auto& [key, value] : entries_) {
    if (!key.IsScalar()) continue;
    std::string field = prefix.empty() ? key.Scalar() : prefix + "." + key.Scalar();
    at->Set(field, ValuePos(key, value));
    if (value.IsSequence()) {
      for (size_t i = 0; i < value.size(); ++i) {
        at->Set(field + "[" + std::to_string(i) + "]", reader::PosOf(value[i]));
      }
    } else if (value.IsMap()) {
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (it->first.IsScalar()) {
          at->Set(field + "." + it->first.Scalar(), ValuePos(it->first, it->second));
        }
      }
    }
  }
}

void MapReader::Fail(std::string_view key, std::string_view problem) const {
  errors_->Report(PosOf(key), PathOf(key), problem);
}

void MapReader::FailHere(std::string_view problem) const { errors_->Report(pos(), path_, problem); }

void MapReader::FailMissing(std::string_view key, std::string_view why) const {
  std::string problem = "required field is missing";
  if (!why.empty()) problem += " (" + std::string(why) + ")";
  errors_->Report(pos(), PathOf(key), problem + "; " + HintFor(path_, key));
}

std::optional<std::string> MapReader::Scalar(std::string_view key, Need need,
                                             std::string_view expected) const {
  if (!ok()) return std::nullopt;
  const YAML::Node* value = FindKey(key);
  if (value == nullptr) {
    if (need == Need::kRequired) FailMissing(key);
    return std::nullopt;
  }
  if (value->IsScalar()) return value->Scalar();
  std::string advice = "give a single value, not " + Describe(*value);
  if (value->IsNull()) {
    advice = need == Need::kRequired ? "give a value" : "give a value or remove the key";
  }
  Fail(key, "expected " + std::string(expected) + ", got " + Describe(*value) + "; " + advice);
  return std::nullopt;
}

std::string MapReader::String(std::string_view key, Need need) const {
  return Scalar(key, need, "text").value_or("");
}

std::string MapReader::Identifier(std::string_view key, Need need) const {
  std::optional<std::string> name = Scalar(key, need, "a name");
  if (!name) return "";
  if (auto problem = IdentifierProblem(*name)) {
    Fail(key, *problem);
    return "";
  }
  return *name;
}

std::string MapReader::Expression(std::string_view key, Need need) const {
  std::string text = Scalar(key, need, "an SQL expression").value_or("");
  if (!ok() || !Has(key)) return "";
  if (Trim(text).empty()) {
    if (need == Need::kRequired) Fail(key, "must not be empty; give an SQL expression");
    return "";
  }
  Status parsed = lint::CheckExpression(text);
  if (!parsed.ok()) Fail(key, parsed.message() + "; fix the SQL expression");
  return text;
}

std::string MapReader::Statements(std::string_view key, Need need) const {
  std::string text = Scalar(key, need, "SQL statements").value_or("");
  if (!ok() || !Has(key)) return "";
  if (Trim(text).empty()) {
    if (need == Need::kRequired) Fail(key, "must not be empty; give the SQL to run");
    return "";
  }
  Status parsed = lint::CheckStatements(text);
  if (!parsed.ok()) Fail(key, parsed.message() + "; fix the SQL");
  return text;
}

std::string MapReader::TypeName(std::string_view key, Need need) const {
  std::optional<std::string> type = Scalar(key, need, "a PostgreSQL type");
  if (!type) return "";
  Status parsed =
      Trim(*type).empty() ? Status::InvalidInput("the type is empty") : lint::CheckTypeName(*type);
  if (!parsed.ok()) {
    Fail(key,
         parsed.message() +
             "; write a type as in CREATE TABLE, e.g. `text`, `varchar(255)`, `numeric(10,2)`");
  }
  return *type;
}

std::string MapReader::Enum(std::string_view key, KeyList allowed, Need need) const {
  std::optional<std::string> text = Scalar(key, need, "one of " + JoinKeys(allowed));
  if (!text) return "";
  for (std::string_view candidate : allowed) {
    if (ToLower(candidate) == ToLower(*text)) return std::string(candidate);
  }
  Fail(key, Quoted(*text) + " is not a valid " + std::string(key) + DidYouMean(*text, allowed) +
                " (use one of " + JoinKeys(allowed) + ")");
  return "";
}

std::optional<bool> MapReader::OptionalBool(std::string_view key) const {
  std::optional<std::string> text = Scalar(key, Need::kOptional, "true or false");
  if (!text) return std::nullopt;
  std::optional<bool> value = ParseBool(*text);
  if (value && !IsQuoted(*FindKey(key))) return value;
  std::string advice = value ? "remove the quotes" : "write true or false";
  Fail(key, "expected true or false, got " + Describe(*FindKey(key)) + "; " + advice);
  return std::nullopt;
}

bool MapReader::Bool(std::string_view key, bool fallback) const {
  return OptionalBool(key).value_or(fallback);
}

std::optional<int64_t> MapReader::Int(std::string_view key, Need need) const {
  std::optional<std::string> text = Scalar(key, need, "a whole number");
  if (!text) return std::nullopt;
  int64_t value = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (ec == std::errc() && ptr == end && !IsQuoted(*FindKey(key))) return value;
  Fail(key, "expected a whole number, got " + Describe(*FindKey(key)) + "; write e.g. 1000");
  return std::nullopt;
}

plan::NullableString MapReader::NullableText(std::string_view key) const {
  plan::NullableString out;
  const YAML::Node* value = FindKey(key);
  if (!ok() || value == nullptr) return out;
  out.present = true;
  out.is_null = value->IsNull();
  if (!out.is_null) out.value = String(key);
  return out;
}

std::vector<std::string> MapReader::StringList(std::string_view key, Need need) const {
  std::vector<std::string> out;
  const YAML::Node* value = FindKey(key);
  if (!ok() || value == nullptr) {
    if (ok() && need == Need::kRequired) FailMissing(key);
    return out;
  }
  if (!value->IsSequence()) {
    std::string example = value->IsScalar() ? " `[" + value->Scalar() + "]`" : " `[a, b]`";
    Fail(key, "expected a list, got " + Describe(*value) + "; write a list, e.g." + example);
    return out;
  }
  for (size_t i = 0; i < value->size(); ++i) {
    YAML::Node item = (*value)[i];
    std::string item_path = PathOf(key) + "[" + std::to_string(i) + "]";
    if (!item.IsScalar()) {
      FailAt(errors_, item, item_path, "expected a single value, got " + Describe(item));
      return {};
    }
    out.push_back(item.Scalar());
  }
  if (need == Need::kRequired && out.empty()) Fail(key, "must not be empty; list at least one");
  return out;
}

std::vector<std::string> MapReader::IdentifierList(std::string_view key, Need need) const {
  std::vector<std::string> names = StringList(key, need);
  std::set<std::string> seen;
  for (size_t i = 0; i < names.size() && ok(); ++i) {
    std::string item_path = PathOf(key) + "[" + std::to_string(i) + "]";
    YAML::Node item = Value(key)[i];
    if (auto problem = IdentifierProblem(names[i])) FailAt(errors_, item, item_path, *problem);
    if (!seen.insert(names[i]).second) {
      FailAt(errors_, item, item_path, Quoted(names[i]) + " is listed twice; list it once");
    }
  }
  return ok() ? names : std::vector<std::string>{};
}

std::map<std::string, std::string> MapReader::ExpressionMap(std::string_view key, Need need) const {
  std::map<std::string, std::string> out;
  if (!ok()) return out;
  const YAML::Node* value = FindKey(key);
  if (value == nullptr) {
    if (need == Need::kRequired) FailMissing(key);
    return out;
  }
  if (!value->IsMap()) {
    Fail(key, "expected a map of column name to SQL expression, got " + Describe(*value) +
                  "; write e.g. `" + std::string(key) + ": {email: lower(email)}`");
    return out;
  }
  std::vector<std::string_view> columns;
  for (auto it = value->begin(); it != value->end(); ++it) {
    if (it->first.IsScalar()) columns.push_back(it->first.Scalar());
  }
  MapReader entries(errors_, *value, PathOf(key), columns);
  for (std::string_view column : columns) {
    if (!entries.ok()) break;
    std::string name(column);
    if (auto problem = IdentifierProblem(name)) entries.Fail(name, *problem);
    out[name] = entries.Expression(name, Need::kRequired);
  }
  return ok() ? out : std::map<std::string, std::string>{};
}

std::optional<MapReader> MapReader::Map(std::string_view key, KeyList known_keys, Need need) const {
  if (!ok()) return std::nullopt;
  const YAML::Node* value = FindKey(key);
  if (value == nullptr) {
    if (need == Need::kRequired) FailMissing(key);
    return std::nullopt;
  }
  if (value->IsNull()) {
    Fail(key, "expected a map of fields, got an empty value; indent its fields under `" +
                  std::string(key) + ":` or remove the key");
    return std::nullopt;
  }
  MapReader nested(errors_, *value, PathOf(key), known_keys);
  if (!nested.ok()) return std::nullopt;
  return nested;
}

std::vector<MapReader> MapReader::MapList(std::string_view key, KeyList known_keys,
                                          Need need) const {
  std::vector<MapReader> out;
  if (!ok()) return out;
  const YAML::Node* value = FindKey(key);
  if (value == nullptr) {
    if (need == Need::kRequired) FailMissing(key);
    return out;
  }
  if (!value->IsSequence()) {
    Fail(key, "expected a list, got " + Describe(*value) + "; start each entry with `- `");
    return out;
  }
  for (size_t i = 0; i < value->size() && ok(); ++i) {
    out.emplace_back(errors_, (*value)[i], PathOf(key) + "[" + std::to_string(i) + "]", known_keys);
  }
  if (ok() && need == Need::kRequired && out.empty()) {
    Fail(key, "must not be empty; " + HintFor(path_, key));
  }
  return ok() ? out : std::vector<MapReader>{};
}

}  // namespace tandem::reader
