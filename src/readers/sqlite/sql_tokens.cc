#include "readers/sqlite/sql_tokens.h"

#include <cctype>

#include "common/strings.h"

namespace tandem::readers::sqlite {
namespace {

bool IsIdentifierStart(char c) {
  auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || u >= 0x80;
}

bool IsIdentifierPart(char c) {
  return IsIdentifierStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view sql) : sql_(sql) {}

  std::vector<Token> Run() {
    while (at_ < sql_.size()) Next();
    return std::move(tokens_);
  }

 private:
  char Peek(size_t ahead = 0) const { return at_ + ahead < sql_.size() ? sql_[at_ + ahead] : '\0'; }

  void Next() {
    char c = Peek();
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++at_;
    } else if (c == '-' && Peek(1) == '-') {
      size_t end = sql_.find('\n', at_);
      at_ = end == std::string_view::npos ? sql_.size() : end + 1;
    } else if (c == '/' && Peek(1) == '*') {
      size_t end = sql_.find("*/", at_ + 2);
      at_ = end == std::string_view::npos ? sql_.size() : end + 2;
    } else if (c == '\'') {
      Quoted(TokenKind::kString, '\'');
    } else if (c == '"' || c == '`') {
      Quoted(TokenKind::kIdentifier, c);
    } else if (c == '[') {
      size_t end = sql_.find(']', at_ + 1);
      size_t stop = end == std::string_view::npos ? sql_.size() : end;
      tokens_.push_back(
          {TokenKind::kIdentifier, std::string(sql_.substr(at_ + 1, stop - at_ - 1)), true});
      at_ = end == std::string_view::npos ? sql_.size() : end + 1;
    } else if ((c == 'x' || c == 'X') && Peek(1) == '\'') {
      ++at_;
      Quoted(TokenKind::kBlob, '\'');
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))))) {
      Number();
    } else if (c == '?' || ((c == ':' || c == '@' || c == '$') && IsIdentifierStart(Peek(1)))) {
      size_t start = at_++;
      while (at_ < sql_.size() && IsIdentifierPart(sql_[at_])) ++at_;
      tokens_.push_back({TokenKind::kParameter, std::string(sql_.substr(start, at_ - start))});
    } else if (IsIdentifierStart(c)) {
      size_t start = at_;
      while (at_ < sql_.size() && IsIdentifierPart(sql_[at_])) ++at_;
      tokens_.push_back({TokenKind::kIdentifier, std::string(sql_.substr(start, at_ - start))});
    } else {
      tokens_.push_back({TokenKind::kOperator, std::string(1, c)});
      ++at_;
    }
  }

  // A quoted token starting at at_; a doubled quote stands for itself.
  void Quoted(TokenKind kind, char quote) {
    std::string text;
    ++at_;
    while (at_ < sql_.size()) {
      if (sql_[at_] == quote) {
        if (Peek(1) != quote) break;
        ++at_;
      }
      text += sql_[at_++];
    }
    ++at_;  // the closing quote (past the end when unterminated)
    tokens_.push_back({kind, std::move(text), true});
  }

  void Number() {
    size_t start = at_;
    while (at_ < sql_.size()) {
      char c = sql_[at_];
      bool exponent_sign = (c == '+' || c == '-') && at_ > start &&
                           (sql_[at_ - 1] == 'e' || sql_[at_ - 1] == 'E') &&
                           sql_.substr(start, 2) != "0x" && sql_.substr(start, 2) != "0X";
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && !exponent_sign) {
        break;
      }
      ++at_;
    }
    tokens_.push_back({TokenKind::kNumber, std::string(sql_.substr(start, at_ - start))});
  }

  std::string_view sql_;
  size_t at_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> Tokenize(std::string_view sql) { return Tokenizer(sql).Run(); }

std::set<std::string> IdentifiersOf(std::string_view sql) {
  std::set<std::string> names;
  for (const auto& token : Tokenize(sql)) {
    if (token.kind == TokenKind::kIdentifier) names.insert(ToLower(token.text));
  }
  return names;
}

}  // namespace tandem::readers::sqlite
