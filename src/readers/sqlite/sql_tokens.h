// SQLite's SQL split into tokens the way SQLite's own tokenizer does, for
// the hidden-reader audit: SQLite offers applications no parser, and a
// substring search would take a column named in a string literal, a
// comment or a longer name for a reference. Quoted identifiers ("x", `x`,
// [x]) come back unquoted; comments are dropped.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::readers::sqlite {

enum class TokenKind {
  kIdentifier,  // a name or keyword, quoted or not
  kString,      // '...'
  kNumber,
  kBlob,       // X'...'
  kParameter,  // ?, ?1, :name, @name, $name
  kOperator,   // anything else: ( ) , . ; = || ...
};

struct Token {
  TokenKind kind;
  std::string text;  // identifiers and strings without their quotes
  bool quoted = false;

  bool operator==(const Token&) const = default;
};

// Never fails: an unterminated quote or comment runs to the end of `sql`.
std::vector<Token> Tokenize(std::string_view sql);

// The identifiers of `sql`, ASCII letters lower-cased (SQLite compares
// names without regard to ASCII case).
std::set<std::string> IdentifiersOf(std::string_view sql);

}  // namespace tandem::readers::sqlite
