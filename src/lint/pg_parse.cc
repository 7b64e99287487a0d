#include "lint/pg_parse.h"

#include <pg_query.h>
#include <pthread.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

namespace tandem::lint {
namespace {

constexpr std::string_view kSelectPrefix = "SELECT ";

// Deeper parse trees (as JSON) are refused before nlohmann::json and the
// walkers below, which recurse over them: a chain of binary operators
// (`1+1+1...`) parses into a tree as deep as the chain, a migration file can
// hold one of 65,000 operators, and its DOM alone would take hundreds of MB.
// No real expression nests this far.
constexpr int kMaxTreeDepth = 10000;

// How deep the objects and arrays of `json` nest, counted without parsing it.
int JsonDepth(const char* json) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (const char* c = json; c != nullptr && *c != '\0'; ++c) {
    if (in_string) {
      if (*c == '\\' && c[1] != '\0') {
        ++c;
      } else if (*c == '"') {
        in_string = false;
      }
    } else if (*c == '"') {
      in_string = true;
    } else if (*c == '{' || *c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if (*c == '}' || *c == ']') {
      --depth;
    }
  }
  return deepest;
}

// libpg_query writes its JSON output recursively, two frames per level of
// the tree, and a migration file can hold a 65,000-operator chain: more than
// the 8 MB of a main thread's stack. So the parse runs on a thread whose
// stack is large enough (its pages are committed only as they are touched).
constexpr size_t kParseStackBytes = 64 << 20;

PgQueryParseResult ParseOnLargeStack(const std::string& sql) {
  struct Call {
    const std::string* sql;
    PgQueryParseResult result;
  } call{&sql, {}};
  auto run = [](void* arg) -> void* {
    auto* c = static_cast<Call*>(arg);
    c->result = pg_query_parse(c->sql->c_str());
    return nullptr;
  };
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setstacksize(&attributes, kParseStackBytes);
  pthread_t thread;
  bool started = pthread_create(&thread, &attributes, run, &call) == 0;
  pthread_attr_destroy(&attributes);
  if (!started) return pg_query_parse(sql.c_str());  // no thread to be had: this stack it is
  pthread_join(thread, nullptr);
  return call.result;
}

// Owns one parse result; frees it on destruction.
class ParseResult {
 public:
  explicit ParseResult(const std::string& sql) : result_(ParseOnLargeStack(sql)) {
    if (result_.error != nullptr) return;
    too_deep_ = JsonDepth(result_.parse_tree) > kMaxTreeDepth;
    if (too_deep_) return;
    // libpg_query copies the bytes of string constants into its JSON as they
    // are; bytes that are not UTF-8 make JSON that cannot be read, which is
    // refused here rather than thrown.
    tree_ = nlohmann::json::parse(result_.parse_tree, nullptr, /*allow_exceptions=*/false);
    unreadable_ = tree_.is_discarded();
  }
  ~ParseResult() { pg_query_free_parse_result(result_); }
  ParseResult(const ParseResult&) = delete;
  ParseResult& operator=(const ParseResult&) = delete;

  bool ok() const { return result_.error == nullptr && !too_deep_ && !unreadable_; }
  std::string error_message() const {
    if (unreadable_) return "it holds bytes that are not valid UTF-8; save the file as UTF-8";
    if (too_deep_) {
      return "it nests too deeply (its parse tree is more than " + std::to_string(kMaxTreeDepth) +
             " levels deep, e.g. a chain of thousands of operators); split it up";
    }
    return result_.error ? result_.error->message : "";
  }
  // 1-based offset into the parsed string; 0 when unknown.
  int error_position() const { return result_.error ? result_.error->cursorpos : 0; }
  // The parse tree; only when ok().
  const nlohmann::json& tree() const { return tree_; }

 private:
  PgQueryParseResult result_;
  bool too_deep_ = false;
  bool unreadable_ = false;
  nlohmann::json tree_;
};

Status ParseError(std::string_view what, std::string_view text, const ParseResult& parsed,
                  size_t prefix_length) {
  std::string message = std::string(what) + " does not parse: " + parsed.error_message();
  int pos = parsed.error_position() - static_cast<int>(prefix_length);
  if (pos > 0 && static_cast<size_t>(pos) <= text.size() + 1) {
    message += " (at character " + std::to_string(pos) + " of \"" + std::string(text) + "\")";
  } else {
    message += " (in \"" + std::string(text) + "\")";
  }
  return Status::InvalidInput(message);
}

// The statements of a parsed string, or an empty array.
nlohmann::json Statements(const nlohmann::json& tree) {
  auto it = tree.find("stmts");
  return it == tree.end() ? nlohmann::json::array() : *it;
}

// True for `SELECT expr` with one target and nothing else (no FROM, WHERE, ...).
bool IsBareSelectOfOneTarget(const nlohmann::json& select) {
  for (const auto& [key, value] : select.items()) {
    if (key != "targetList" && key != "limitOption" && key != "op") return false;
  }
  return select.contains("targetList") && select["targetList"].size() == 1;
}

// Byte length of the identifier token starting at `pos` (quoted or not).
size_t IdentifierLength(std::string_view sql, size_t pos) {
  if (pos < sql.size() && sql[pos] == '"') {
    size_t i = pos + 1;
    while (i < sql.size()) {
      if (sql[i] == '"') {
        if (i + 1 < sql.size() && sql[i + 1] == '"') {
          i += 2;
          continue;
        }
        return i + 1 - pos;
      }
      ++i;
    }
    return sql.size() - pos;
  }
  size_t i = pos;
  while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_' ||
                            sql[i] == '$' || static_cast<unsigned char>(sql[i]) >= 0x80)) {
    ++i;
  }
  return i - pos;
}

struct ColumnRefSite {
  size_t location;
  std::string name;
};

void CollectColumnRefs(const nlohmann::json& node, std::vector<ColumnRefSite>& out) {
  if (node.is_object()) {
    auto ref = node.find("ColumnRef");
    if (ref != node.end()) {
      const auto& fields = (*ref)["fields"];
      if (fields.size() == 1 && fields[0].contains("String")) {
        out.push_back({(*ref)["location"].get<size_t>(), fields[0]["String"]["sval"]});
      }
      return;
    }
    for (const auto& [key, child] : node.items()) CollectColumnRefs(child, out);
  } else if (node.is_array()) {
    for (const auto& child : node) CollectColumnRefs(child, out);
  }
}

// What an expression calls: function names (and "sql value function" for
// CURRENT_TIMESTAMP and friends), and whether it has a subquery.
struct Calls {
  std::vector<std::string> functions;
  bool subquery = false;
};

void CollectCalls(const nlohmann::json& node, Calls& out) {
  if (node.is_object()) {
    auto call = node.find("FuncCall");
    if (call != node.end()) out.functions.push_back((*call)["funcname"].back()["String"]["sval"]);
    if (node.contains("SQLValueFunction")) out.functions.push_back("sql value function");
    if (node.contains("SubLink")) out.subquery = true;
    for (const auto& [key, child] : node.items()) CollectCalls(child, out);
  } else if (node.is_array()) {
    for (const auto& child : node) CollectCalls(child, out);
  }
}

Result<Calls> CallsOf(std::string_view expression) {
  TANDEM_ASSIGN_OR_RETURN(std::string normalized, NormalizeExpression(expression));
  ParseResult parsed(std::string(kSelectPrefix) + normalized);
  if (!parsed.ok()) return ParseError("expression", normalized, parsed, kSelectPrefix.size());
  Calls calls;
  CollectCalls(parsed.tree(), calls);
  return calls;
}

bool IsNonVolatile(const Calls& calls) {
  // Functions PostgreSQL marks STABLE or IMMUTABLE that defaults commonly use.
  static const std::set<std::string> kNonVolatile = {
      "now", "lower", "upper", "coalesce", "length", "abs", "round", "trim", "sql value function"};
  if (calls.subquery) return false;
  for (const auto& f : calls.functions) {
    if (kNonVolatile.count(f) == 0) return false;
  }
  return true;
}

}  // namespace

Result<std::vector<std::string>> CalledFunctions(std::string_view expression) {
  TANDEM_ASSIGN_OR_RETURN(Calls calls, CallsOf(expression));
  return calls.functions;
}

Result<bool> IsNonVolatileExpression(std::string_view expression) {
  TANDEM_ASSIGN_OR_RETURN(Calls calls, CallsOf(expression));
  return IsNonVolatile(calls);
}

bool IsNonVolatileTree(const nlohmann::json& expression) {
  Calls calls;
  CollectCalls(expression, calls);
  return IsNonVolatile(calls);
}

bool CallsAnything(const nlohmann::json& expression) {
  Calls calls;
  CollectCalls(expression, calls);
  return calls.subquery || !calls.functions.empty();
}

Result<std::string> NormalizeExpression(std::string_view text) {
  std::string trimmed(text);
  while (!trimmed.empty() && (trimmed.back() == ';' || std::isspace(trimmed.back()))) {
    trimmed.pop_back();
  }
  if (trimmed.empty()) return Status::InvalidInput("expression is empty");
  // A query written out in full?
  ParseResult as_statement(trimmed);
  if (as_statement.ok()) {
    auto stmts = Statements(as_statement.tree());
    if (stmts.size() == 1 && stmts[0]["stmt"].contains("SelectStmt")) {
      const auto& select = stmts[0]["stmt"]["SelectStmt"];
      if (!IsBareSelectOfOneTarget(select)) return "(" + trimmed + ")";
      const auto& target = select["targetList"][0]["ResTarget"];
      if (target.contains("name")) return "(" + trimmed + ")";
      // Everything after the SELECT keyword is the expression.
      size_t start = target["location"].get<size_t>();
      return trimmed.substr(start);
    }
  }
  ParseResult as_expression(std::string(kSelectPrefix) + trimmed);
  if (!as_expression.ok()) {
    return ParseError("expression", trimmed, as_expression, kSelectPrefix.size());
  }
  auto stmts = Statements(as_expression.tree());
  if (stmts.size() != 1 || !IsBareSelectOfOneTarget(stmts[0]["stmt"]["SelectStmt"])) {
    return Status::InvalidInput("\"" + trimmed + "\" is not a single SQL expression");
  }
  return trimmed;
}

Status CheckExpression(std::string_view text) { return NormalizeExpression(text).status(); }

Status CheckStatements(std::string_view sql) {
  std::string text(sql);
  ParseResult parsed(text);
  if (!parsed.ok()) return ParseError("SQL", text, parsed, 0);
  if (Statements(parsed.tree()).empty()) return Status::InvalidInput("SQL is empty");
  return Status::Ok();
}

Result<nlohmann::json> ParseStatements(std::string_view sql, SyntaxError* error) {
  std::string text(sql);
  ParseResult parsed(text);
  if (parsed.ok()) return parsed.tree();
  if (error != nullptr) {
    error->message = parsed.error_message();
    error->offset = std::max(0, parsed.error_position() - 1);
  }
  return ParseError("SQL", text, parsed, 0);
}

Result<nlohmann::json> ParsePlpgsql(std::string_view create_function) {
  std::string text(create_function);
  PgQueryPlpgsqlParseResult result = pg_query_parse_plpgsql(text.c_str());
  std::unique_ptr<PgQueryPlpgsqlParseResult, void (*)(PgQueryPlpgsqlParseResult*)> owned(
      &result, [](PgQueryPlpgsqlParseResult* r) { pg_query_free_plpgsql_parse_result(*r); });
  if (result.error != nullptr) {
    return Status::InvalidInput(std::string("PL/pgSQL does not parse: ") + result.error->message);
  }
  if (result.plpgsql_funcs == nullptr || JsonDepth(result.plpgsql_funcs) > kMaxTreeDepth) {
    return Status::InvalidInput("PL/pgSQL function nests too deeply to read");
  }
  nlohmann::json tree = nlohmann::json::parse(result.plpgsql_funcs, nullptr, false);
  if (tree.is_discarded()) {
    return Status::InvalidInput("PL/pgSQL function holds bytes that are not valid UTF-8");
  }
  return tree;
}

Status CheckTypeName(std::string_view type) {
  std::string prefix = "CREATE TABLE t (c ";
  ParseResult parsed(prefix + std::string(type) + ")");
  if (!parsed.ok() || Statements(parsed.tree()).size() != 1) {
    return Status::InvalidInput("\"" + std::string(type) + "\" is not a PostgreSQL type name");
  }
  return Status::Ok();
}

Result<std::string> RewriteColumnRefs(std::string_view expression, const ColumnResolver& resolve) {
  TANDEM_ASSIGN_OR_RETURN(std::string normalized, NormalizeExpression(expression));
  std::string sql = std::string(kSelectPrefix) + normalized;
  ParseResult parsed(sql);
  if (!parsed.ok()) return ParseError("expression", normalized, parsed, kSelectPrefix.size());
  std::vector<ColumnRefSite> sites;
  CollectColumnRefs(parsed.tree(), sites);
  std::sort(sites.begin(), sites.end(),
            [](const ColumnRefSite& a, const ColumnRefSite& b) { return a.location > b.location; });
  // Replace from the end so earlier offsets stay valid.
  for (const auto& site : sites) {
    std::optional<std::string> replacement = resolve(site.name);
    if (!replacement) continue;
    sql.replace(site.location, IdentifierLength(sql, site.location), *replacement);
  }
  return sql.substr(kSelectPrefix.size());
}

}  // namespace tandem::lint
