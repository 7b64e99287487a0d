#include "readers/sqlite/sql_tokens.h"

#include <gtest/gtest.h>

namespace tandem::readers::sqlite {
namespace {

TEST(SqlTokensTest, QuotedNamesComeBackUnquoted) {
  auto tokens = Tokenize(R"(SELECT "a""b", `c``d`, [e f], 'g''h' FROM t)");
  std::vector<Token> expected = {
      {TokenKind::kIdentifier, "SELECT"}, {TokenKind::kIdentifier, "a\"b", true},
      {TokenKind::kOperator, ","},        {TokenKind::kIdentifier, "c`d", true},
      {TokenKind::kOperator, ","},        {TokenKind::kIdentifier, "e f", true},
      {TokenKind::kOperator, ","},        {TokenKind::kString, "g'h", true},
      {TokenKind::kIdentifier, "FROM"},   {TokenKind::kIdentifier, "t"}};
  EXPECT_EQ(tokens, expected);
}

TEST(SqlTokensTest, StringsCommentsAndLongerNamesAreNoReference) {
  std::set<std::string> names = IdentifiersOf(
      "SELECT 'age', agent, x.age_months -- age\n /* age */ FROM users u WHERE u.\"Age\" > 1");
  EXPECT_EQ(names.count("agent"), 1u);
  EXPECT_EQ(names.count("age_months"), 1u);
  EXPECT_EQ(names.count("users"), 1u);
  // Only the quoted reference, compared without regard to case.
  EXPECT_EQ(names.count("age"), 1u);
  std::set<std::string> without = IdentifiersOf("SELECT 'age', agent /* age */ FROM users -- age");
  EXPECT_EQ(without.count("age"), 0u);
}

TEST(SqlTokensTest, NumbersBlobsAndParameters) {
  auto tokens = Tokenize("1.5e+3 0x1F X'ab' ?1 :name @v $w .5");
  std::vector<TokenKind> kinds;
  for (const auto& t : tokens) kinds.push_back(t.kind);
  EXPECT_EQ(kinds, (std::vector<TokenKind>{TokenKind::kNumber, TokenKind::kNumber, TokenKind::kBlob,
                                           TokenKind::kParameter, TokenKind::kParameter,
                                           TokenKind::kParameter, TokenKind::kParameter,
                                           TokenKind::kNumber}));
  EXPECT_EQ(tokens[0].text, "1.5e+3");
  EXPECT_EQ(tokens[2].text, "ab");
}

TEST(SqlTokensTest, AnUnterminatedQuoteOrCommentRunsToTheEnd) {
  EXPECT_EQ(Tokenize("SELECT 'open").back(), (Token{TokenKind::kString, "open", true}));
  EXPECT_EQ(Tokenize("SELECT [open").back(), (Token{TokenKind::kIdentifier, "open", true}));
  EXPECT_EQ(Tokenize("SELECT 1 /* open").size(), 2u);
  EXPECT_TRUE(Tokenize("").empty());
}

}  // namespace
}  // namespace tandem::readers::sqlite
