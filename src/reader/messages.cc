#include "reader/messages.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "common/strings.h"

namespace tandem::reader {
namespace {

constexpr size_t kMaxQuotedText = 40;
constexpr size_t kMaxTypoDistance = 2;

// What to add when a required field is missing, keyed by "context.key" (the
// context is the enclosing map's last path component) or by the bare key.
struct FieldHint {
  std::string_view field;
  std::string_view hint;
};
constexpr FieldHint kFieldHints[] = {
    {"add_column.column", "give the new column as a map, e.g. `column: {name: email, type: text}`"},
    {"column.name", "give the column's name, e.g. `name: email`"},
    {"columns.name", "give the column's name, e.g. `name: email`"},
    {"column.type", "give the column's PostgreSQL type, e.g. `type: text`"},
    {"columns.type", "give the column's PostgreSQL type, e.g. `type: text`"},
    {"create_table.columns",
     "list the table's columns, e.g. `columns: [{name: id, type: bigint, pk: true}]`"},
    {"constraints.type", "give one of unique, check, primary_key, foreign_key, exclude"},
    {"create_constraint.type", "give one of unique, check, foreign_key, primary_key"},
    {"create_constraint.up",
     "map each of the constraint's columns to an SQL expression, e.g. `up: {email: lower(email)}`"},
    {"create_constraint.down",
     "map each of the constraint's columns to an SQL expression, e.g. `down: {email: email}`"},
    {"drop_multicolumn_constraint.down",
     "map each column the constraint covers to an SQL expression, e.g. `down: {email: email}`"},
    {"check.name", "give the check constraint a name, e.g. `name: price_positive`"},
    {"check.constraint", "give the SQL boolean expression, e.g. `constraint: price > 0`"},
    {"references.name", "give the foreign key a name, e.g. `name: fk_orders_user`"},
    {"references.table", "give the referenced table, e.g. `table: users`"},
    {"references.column", "give the referenced column, e.g. `column: id`"},
    {"references.columns", "list the referenced columns, e.g. `columns: [id]`"},
    {"unique.name", "give the unique constraint a name, e.g. `name: users_email_key`"},
    {"identity.type", "give one of full, default, nothing, index"},
    {"identity.index", "name the unique index to use, e.g. `index: users_email_key`"},
    {"sql.up", "give the SQL to run, e.g. `up: CREATE TABLE t (id int)`"},
    {"operations", "list the migration's operations, e.g. `operations: [{drop_table: {name: t}}]`"},
    {"table", "give the table's name, e.g. `table: users`"},
    {"column", "give the column's name, e.g. `column: email`"},
    {"columns", "list the columns, e.g. `columns: [email]`"},
    {"name", "give a name, e.g. `name: users_email_idx`"},
    {"from", "give the current name, e.g. `from: old_name`"},
    {"to", "give the new name, e.g. `to: new_name`"},
    {"check", "give the SQL boolean expression, e.g. `check: price > 0`"},
    {"references",
     "give the referenced table and columns, e.g. `references: {table: users, "
     "columns: [id]}`"},
    {"exclude",
     "give the exclusion, e.g. `exclude: {index_method: gist, elements: "
     "\"during WITH &&\"}`"},
    {"identity", "give the replica identity, e.g. `identity: {type: full}`"},
    {"up", "give the SQL expression that computes the new value, e.g. `up: lower(email)`"},
    {"down", "give the SQL expression that computes the old value, e.g. `down: email`"},
};

// The last component of a key path without any [i]: "columns" for "x.columns[2]".
std::string LastComponent(std::string_view path) {
  size_t dot = path.rfind('.');
  std::string_view last = dot == std::string_view::npos ? path : path.substr(dot + 1);
  return std::string(last.substr(0, last.find('[')));
}

// Optimal string alignment distance, case-insensitive.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  auto same = [](char x, char y) { return std::tolower(x) == std::tolower(y); };
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = same(a[i - 1], b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1])) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string HintFor(std::string_view path, std::string_view key) {
  std::string contextual = LastComponent(path) + "." + std::string(key);
  for (const auto& entry : kFieldHints) {
    if (entry.field == contextual) return std::string(entry.hint);
  }
  for (const auto& entry : kFieldHints) {
    if (entry.field == key) return std::string(entry.hint);
  }
  return "add `" + std::string(key) + ": ...`";
}

std::string Quoted(std::string_view text) {
  if (text.size() <= kMaxQuotedText) return "\"" + std::string(text) + "\"";
  return "\"" + std::string(text.substr(0, kMaxQuotedText)) + "...\"";
}

void ErrorSink::Report(plan::SourcePos pos, std::string_view path, std::string_view problem) {
  if (failed()) return;
  std::string where = file_;
  if (pos.line > 0) where += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
  std::string message = where + ": ";
  if (!path.empty()) message += std::string(path) + ": ";
  message += problem;
  status_ = Status::InvalidInput(message);
}

plan::SourcePos PosOf(const YAML::Node& node) {
  if (!node.IsDefined()) return {};
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

bool IsQuoted(const YAML::Node& node) {
  // yaml-cpp tags quoted scalars "!" and plain ones "?".
  return node.Tag() == "!";
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
      return "nothing";
    case YAML::NodeType::Null:
      return "an empty value";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Scalar:
      break;
  }
  return std::string(IsQuoted(node) ? "the quoted text " : "") + Quoted(node.Scalar());
}

std::string ClosestMatch(std::string_view word, KeyList candidates) {
  std::string best;
  size_t best_distance = kMaxTypoDistance + 1;
  for (std::string_view candidate : candidates) {
    size_t distance = EditDistance(word, candidate);
    if (distance < best_distance && distance < word.size()) {
      best = std::string(candidate);
      best_distance = distance;
    }
  }
  return best;
}

std::string JoinKeys(KeyList keys) {
  std::vector<std::string> parts(keys.begin(), keys.end());
  return Join(parts, ", ");
}

std::string DidYouMean(std::string_view word, KeyList candidates) {
  std::string match = ClosestMatch(word, candidates);
  return match.empty() ? "" : "; did you mean \"" + match + "\"?";
}

std::optional<std::string> IdentifierProblem(std::string_view name) {
  if (name.empty()) return "must not be empty; give a name";
  if (name.size() <= kMaxIdentifierBytes) return std::nullopt;
  return Quoted(name) + " is " + std::to_string(name.size()) +
         " bytes long; PostgreSQL truncates names to 63 bytes (NAMEDATALEN), so choose a "
         "name of at most 63 bytes";
}

void FailAt(ErrorSink* errors, const YAML::Node& node, std::string_view path,
            std::string_view problem) {
  errors->Report(PosOf(node), path, problem);
}

}  // namespace tandem::reader
