#include "plan/sqlite/sqlite_table_sql.h"

#include <cctype>

#include "common/strings.h"

namespace tandem::plan::sqlite {
namespace {

enum class TokenKind { kWord, kQuoted, kString, kNumber, kPunct };

struct Token {
  TokenKind kind;
  size_t begin;
  size_t end;
  std::string text;  // as written
};

bool IsWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The end of a quoted token starting at `begin` (closing `close`, doubled
// to escape), or npos when it is not closed.
size_t QuotedEnd(const std::string& sql, size_t begin, char close) {
  for (size_t i = begin + 1; i < sql.size(); ++i) {
    if (sql[i] != close) continue;
    if (close != ']' && i + 1 < sql.size() && sql[i + 1] == close) {
      ++i;
      continue;
    }
    return i + 1;
  }
  return std::string::npos;
}

// The end of the token (or comment) at `i`; npos for an unclosed quote.
size_t TokenEnd(const std::string& sql, size_t i, TokenKind& kind) {
  char c = sql[i];
  char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
  if (c == '\'') return kind = TokenKind::kString, QuotedEnd(sql, i, '\'');
  if (c == '"') return kind = TokenKind::kQuoted, QuotedEnd(sql, i, '"');
  if (c == '`') return kind = TokenKind::kQuoted, QuotedEnd(sql, i, '`');
  if (c == '[') return kind = TokenKind::kQuoted, QuotedEnd(sql, i, ']');
  if ((c == 'x' || c == 'X') && next == '\'') {
    return kind = TokenKind::kString, QuotedEnd(sql, i + 1, '\'');  // a blob literal
  }
  size_t end = i + 1;
  if (std::isdigit(static_cast<unsigned char>(c)) || (c == '.' && std::isdigit(next))) {
    kind = TokenKind::kNumber;
    while (end < sql.size() && (IsWordChar(sql[end]) || sql[end] == '.' ||
                                ((sql[end] == '+' || sql[end] == '-') &&
                                 std::tolower(static_cast<unsigned char>(sql[end - 1])) == 'e'))) {
      ++end;
    }
    return end;
  }
  if (IsWordChar(c)) {
    kind = TokenKind::kWord;
    while (end < sql.size() && IsWordChar(sql[end])) ++end;
    return end;
  }
  kind = TokenKind::kPunct;
  return end;
}

// The size of the comment or white space at `i`, 0 when there is none.
size_t SkipSpace(const std::string& sql, size_t i) {
  if (std::isspace(static_cast<unsigned char>(sql[i]))) return 1;
  if (sql.compare(i, 2, "--") == 0) {
    size_t end = sql.find('\n', i);
    return (end == std::string::npos ? sql.size() : end) - i;
  }
  if (sql.compare(i, 2, "/*") == 0) {
    size_t end = sql.find("*/", i + 2);
    return (end == std::string::npos ? sql.size() : end + 2) - i;
  }
  return 0;
}

std::optional<std::vector<Token>> Tokenize(const std::string& sql) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < sql.size()) {
    if (size_t space = SkipSpace(sql, i); space > 0) {
      i += space;
      continue;
    }
    TokenKind kind;
    size_t end = TokenEnd(sql, i, kind);
    if (end == std::string::npos) return std::nullopt;
    tokens.push_back({kind, i, end, sql.substr(i, end - i)});
    i = end;
  }
  return tokens;
}

bool SameText(const std::string& a, const std::string& b) { return ToLower(a) == ToLower(b); }

bool IsWord(const std::vector<Token>& tokens, size_t i, const char* word) {
  return i < tokens.size() && tokens[i].kind == TokenKind::kWord && SameText(tokens[i].text, word);
}

bool IsPunct(const std::vector<Token>& tokens, size_t i, char c) {
  return i < tokens.size() && tokens[i].kind == TokenKind::kPunct && tokens[i].text[0] == c;
}

// An identifier as SQLite stores it: quotes removed, doubled quotes undone.
std::string Unquote(const Token& token) {
  if (token.kind != TokenKind::kQuoted && token.kind != TokenKind::kString) return token.text;
  std::string inner = token.text.substr(1, token.text.size() - 2);
  char quote = token.text[0];
  if (quote == '[') return inner;
  return ReplaceAll(inner, std::string(2, quote), std::string(1, quote));
}

// The index of the ")" closing the "(" at `open`; npos when unbalanced.
size_t GroupEnd(const std::vector<Token>& tokens, size_t open) {
  int depth = 0;
  for (size_t i = open; i < tokens.size(); ++i) {
    if (IsPunct(tokens, i, '(')) ++depth;
    if (IsPunct(tokens, i, ')') && --depth == 0) return i;
  }
  return std::string::npos;
}

// What is written between the parentheses of the group opening at `open`.
std::string GroupText(const std::string& sql, const std::vector<Token>& tokens, size_t open,
                      size_t close) {
  return Trim(sql.substr(tokens[open].end, tokens[close].begin - tokens[open].end));
}

// The first identifier of each comma-separated item of the group opening
// at `open`: the column names of a PRIMARY KEY, UNIQUE or FOREIGN KEY list.
std::vector<std::string> GroupColumns(const std::vector<Token>& tokens, size_t open, size_t close) {
  std::vector<std::string> columns;
  bool first = true;
  for (size_t i = open + 1; i < close; ++i) {
    if (IsPunct(tokens, i, '(')) i = GroupEnd(tokens, i);
    if (first) columns.push_back(Unquote(tokens[i]));
    first = IsPunct(tokens, i, ',');
  }
  return columns;
}

class TableReader {
 public:
  TableReader(const std::string& sql, const std::vector<Token>& tokens)
      : sql_(sql), tokens_(tokens) {}

  // The column definitions and table constraints between `open` and `close`.
  bool Read(size_t open, size_t close) {
    size_t begin = open + 1;
    for (size_t i = begin; i <= close; ++i) {
      if (IsPunct(tokens_, i, '(')) i = GroupEnd(tokens_, i);
      if (i == std::string::npos || i > close) return false;
      if (i < close && !IsPunct(tokens_, i, ',')) continue;
      if (i == begin) return false;
      bool constraint = IsWord(tokens_, begin, "constraint") || IsWord(tokens_, begin, "primary") ||
                        IsWord(tokens_, begin, "unique") || IsWord(tokens_, begin, "check") ||
                        IsWord(tokens_, begin, "foreign");
      bool ok = constraint ? TableConstraint(begin, i) : Column(begin, i);
      if (!ok) return false;
      begin = i + 1;
    }
    return true;
  }

  TableSql& table() { return table_; }

 private:
  // A CHECK whose "(" is at `open`; returns the index of its ")".
  size_t Check(size_t open, const std::string& name) {
    size_t close = IsPunct(tokens_, open, '(') ? GroupEnd(tokens_, open) : std::string::npos;
    if (close != std::string::npos) {
      table_.checks.push_back({name, GroupText(sql_, tokens_, open, close), {}});
    }
    return close;
  }

  bool Column(size_t begin, size_t end) {
    TokenKind kind = tokens_[begin].kind;
    if (kind == TokenKind::kPunct || kind == TokenKind::kNumber) return false;
    std::string column = Unquote(tokens_[begin]);
    table_.columns.push_back(column);
    table_.collations.emplace_back();
    std::string pending;  // the name a CONSTRAINT clause gives the next constraint
    for (size_t i = begin + 1; i < end; ++i) {
      if (IsPunct(tokens_, i, '(')) {
        i = GroupEnd(tokens_, i);
        if (i == std::string::npos) return false;
      } else if (IsWord(tokens_, i, "constraint") && i + 1 < end) {
        pending = Unquote(tokens_[++i]);
        continue;
      } else if (IsWord(tokens_, i, "check")) {
        i = Check(i + 1, pending);
        if (i == std::string::npos) return false;
      } else if (IsWord(tokens_, i, "collate") && i + 1 < end) {
        table_.collations.back() = tokens_[++i].text;
      } else if (!pending.empty()) {
        char type = IsWord(tokens_, i, "unique")       ? 'u'
                    : IsWord(tokens_, i, "references") ? 'f'
                    : IsWord(tokens_, i, "primary")    ? 'p'
                                                       : 0;
        if (type != 0) table_.named.push_back({pending, type, {column}});
      }
      pending.clear();
    }
    return true;
  }

  bool TableConstraint(size_t begin, size_t end) {
    std::string name;
    size_t i = begin;
    if (IsWord(tokens_, i, "constraint")) {
      if (i + 2 >= end) return false;
      name = Unquote(tokens_[i + 1]);
      i += 2;
    }
    if (IsWord(tokens_, i, "check")) return Check(i + 1, name) != std::string::npos;
    char type = IsWord(tokens_, i, "unique")    ? 'u'
                : IsWord(tokens_, i, "foreign") ? 'f'
                : IsWord(tokens_, i, "primary") ? 'p'
                                                : 0;
    if (type == 0) return false;
    while (i < end && !IsPunct(tokens_, i, '(')) ++i;
    size_t close = i < end ? GroupEnd(tokens_, i) : std::string::npos;
    if (close == std::string::npos || close >= end) return false;
    if (!name.empty()) table_.named.push_back({name, type, GroupColumns(tokens_, i, close)});
    return true;
  }

  const std::string& sql_;
  const std::vector<Token>& tokens_;
  TableSql table_;
};

}  // namespace

bool SameName(const std::string& a, const std::string& b) { return SameText(a, b); }

bool SameNames(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.size() != b.size()) return false;
  for (const auto& name : a) {
    bool found = false;
    for (const auto& other : b) found = found || SameName(name, other);
    if (!found) return false;
  }
  return true;
}

std::optional<TableSql> ParseCreateTable(const std::string& sql) {
  auto tokens = Tokenize(sql);
  if (!tokens) return std::nullopt;
  size_t open = 0;
  while (open < tokens->size() && !IsPunct(*tokens, open, '(')) {
    if (IsWord(*tokens, open, "as")) return std::nullopt;  // CREATE TABLE ... AS SELECT
    ++open;
  }
  if (open == tokens->size()) return std::nullopt;
  size_t close = GroupEnd(*tokens, open);
  if (close == std::string::npos) return std::nullopt;
  TableReader reader(sql, *tokens);
  if (!reader.Read(open, close)) return std::nullopt;
  TableSql table = std::move(reader.table());
  table.options = Trim(sql.substr((*tokens)[close].end));
  for (size_t i = 0; i + 1 < tokens->size(); ++i) {
    if (IsWord(*tokens, i, "on") && IsWord(*tokens, i + 1, "conflict")) {
      table.conflict_clause = true;
    }
    if (IsWord(*tokens, i + 1, "deferrable") && !IsWord(*tokens, i, "not")) {
      table.deferrable = true;
    }
  }
  // Which columns each check reads, now that every column is known.
  for (auto& check : table.checks) {
    (void)RenameColumnRefs(check.expression, [&](const std::string& name) {
      for (const auto& c : table.columns) {
        if (SameName(c, name)) check.columns.push_back(c);
      }
      return std::optional<std::string>();
    });
  }
  return table;
}

std::string CollationOf(const TableSql* sql, const std::string& column) {
  for (size_t i = 0; sql != nullptr && i < sql->columns.size(); ++i) {
    if (SameName(sql->columns[i], column)) return sql->collations[i];
  }
  return "";
}

std::optional<std::string> RenameColumnRefs(const std::string& sql, const ColumnRename& rename) {
  auto tokens = Tokenize(sql);
  if (!tokens) return std::nullopt;
  std::string out;
  size_t copied = 0;
  for (size_t i = 0; i < tokens->size(); ++i) {
    const Token& t = (*tokens)[i];
    if (t.kind != TokenKind::kWord && t.kind != TokenKind::kQuoted) continue;
    bool function_or_qualifier = IsPunct(*tokens, i + 1, '(') || IsPunct(*tokens, i + 1, '.');
    bool collation_or_type =
        i > 0 && (IsWord(*tokens, i - 1, "collate") || IsWord(*tokens, i - 1, "as"));
    if (function_or_qualifier || collation_or_type) continue;
    std::string name = Unquote(t);
    std::optional<std::string> renamed = rename(name);
    if (renamed && renamed->empty()) return std::nullopt;
    if (!renamed || *renamed == name) continue;  // kept as written
    out += sql.substr(copied, t.begin - copied) + QuoteIdent(*renamed);
    copied = t.end;
  }
  return out + sql.substr(copied);
}

std::optional<std::string> RenameIndexColumns(const std::string& sql, const ColumnRename& rename) {
  auto tokens = Tokenize(sql);
  if (!tokens) return std::nullopt;
  size_t on = 0;
  while (on < tokens->size() && !IsWord(*tokens, on, "on")) ++on;
  size_t table = IsPunct(*tokens, on + 2, '.') ? on + 3 : on + 1;
  if (table >= tokens->size()) return std::nullopt;
  size_t split = (*tokens)[table].end;
  auto renamed = RenameColumnRefs(sql.substr(split), rename);
  if (!renamed) return std::nullopt;
  return sql.substr(0, split) + *renamed;
}

std::optional<std::string> RetargetIndex(const std::string& sql, const std::string& name,
                                         const std::string& table) {
  auto tokens = Tokenize(sql);
  if (!tokens) return std::nullopt;
  size_t on = 0;
  while (on < tokens->size() && !IsWord(*tokens, on, "on")) ++on;
  size_t after_table = IsPunct(*tokens, on + 2, '.') ? on + 3 : on + 1;
  if (on < 3 || after_table >= tokens->size()) return std::nullopt;
  std::string head = IsWord(*tokens, 1, "unique") ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
  return head + "IF NOT EXISTS " + QuoteIdent(name) + " ON " + QuoteIdent(table) +
         sql.substr((*tokens)[after_table].end);
}

std::optional<std::string> RetargetTable(const std::string& sql, const std::string& name) {
  auto tokens = Tokenize(sql);
  if (!tokens || tokens->size() < 4 || !IsWord(*tokens, 0, "create")) return std::nullopt;
  size_t open = 0;
  while (open < tokens->size() && !IsPunct(*tokens, open, '(')) ++open;
  if (open >= tokens->size() || open < 3) return std::nullopt;
  return "CREATE TABLE IF NOT EXISTS " + QuoteIdent(name) + " " + sql.substr((*tokens)[open].begin);
}

}  // namespace tandem::plan::sqlite
