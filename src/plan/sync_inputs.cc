#include "plan/sync_inputs.h"

#include <cctype>
#include <optional>
#include <set>

namespace tandem::plan {
namespace {

constexpr std::string_view kRowPrefix = "NEW.\"";

// The end of the quoted name that starts at `open` (its opening quote), or
// npos: a doubled quote is part of the name.
size_t QuotedNameEnd(const std::string& text, size_t open, std::string* name) {
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] != '"') {
      name->push_back(text[i]);
    } else if (i + 1 < text.size() && text[i + 1] == '"') {
      name->push_back('"');
      ++i;
    } else {
      return i + 1;
    }
  }
  return std::string::npos;
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '"' || c == '$';
}

// Whether `text` has the word NEW (any case) outside a name.
bool MentionsNew(const std::string& text) {
  for (size_t i = 0; i + 3 <= text.size(); ++i) {
    bool word =
        (i == 0 || !IsNameChar(text[i - 1])) && (i + 3 == text.size() || !IsNameChar(text[i + 3]));
    if (word && std::toupper(static_cast<unsigned char>(text[i])) == 'N' &&
        std::toupper(static_cast<unsigned char>(text[i + 1])) == 'E' &&
        std::toupper(static_cast<unsigned char>(text[i + 2])) == 'W') {
      return true;
    }
  }
  return false;
}

// The names an expression reads as NEW."name"; nullopt when it mentions NEW
// otherwise.
std::optional<std::set<std::string>> ReadNames(const std::string& expression) {
  std::set<std::string> names;
  std::string rest;
  size_t from = 0;
  for (size_t at = expression.find(kRowPrefix); at != std::string::npos;
       at = expression.find(kRowPrefix, from)) {
    std::string name;
    size_t end = QuotedNameEnd(expression, at + kRowPrefix.size() - 1, &name);
    if (end == std::string::npos) return std::nullopt;
    rest += expression.substr(from, at - from) + " ";
    names.insert(name);
    from = end;
  }
  rest += expression.substr(from);
  if (MentionsNew(rest)) return std::nullopt;
  return names;
}

}  // namespace

std::vector<std::string> SyncInputs(const TableSync& sync,
                                    const std::vector<std::string>& columns) {
  std::set<std::string> inputs;
  for (const auto* side : {&sync.up, &sync.down}) {
    for (const auto& c : *side) {
      auto names = ReadNames(c.expression);
      if (!names) return columns;
      inputs.insert(names->begin(), names->end());
    }
  }
  for (const auto& c : sync.down) inputs.insert(c.target);
  std::vector<std::string> read;
  for (const auto& c : columns) {
    if (inputs.count(c) > 0) read.push_back(c);
  }
  return read;
}

}  // namespace tandem::plan
