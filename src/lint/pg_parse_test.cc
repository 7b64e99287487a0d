#include "lint/pg_parse.h"

#include <gtest/gtest.h>

namespace tandem::lint {
namespace {

TEST(NormalizeExpressionTest, KeepsBareExpressions) {
  EXPECT_EQ(*NormalizeExpression("lower(email)"), "lower(email)");
}

TEST(NormalizeExpressionTest, ReducesASelectOfOneTargetToItsExpression) {
  EXPECT_EQ(*NormalizeExpression("SELECT CASE WHEN name IS NULL THEN 'x' ELSE name END;"),
            "CASE WHEN name IS NULL THEN 'x' ELSE name END");
}

TEST(NormalizeExpressionTest, WrapsAQueryWithFromAsAScalarSubquery) {
  EXPECT_EQ(*NormalizeExpression("SELECT max(id) FROM users"), "(SELECT max(id) FROM users)");
}

TEST(NormalizeExpressionTest, ReportsWhereItDoesNotParse) {
  auto result = NormalizeExpression("upper(name");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(result.status().message().find("does not parse"), std::string::npos);
  EXPECT_NE(result.status().message().find("upper(name"), std::string::npos);
}

TEST(NormalizeExpressionTest, RefusesTwoStatements) {
  EXPECT_FALSE(NormalizeExpression("1; DROP TABLE users").ok());
}

TEST(RewriteColumnRefsTest, ReplacesOnlyResolvedUnqualifiedColumns) {
  auto resolve = [](const std::string& name) -> std::optional<std::string> {
    if (name == "name" || name == "Mixed Case") return "NEW.\"" + name + "\"";
    return std::nullopt;
  };
  auto rewritten =
      RewriteColumnRefs("coalesce(name, \"Mixed Case\", other, t.name, 'name')", resolve);
  ASSERT_TRUE(rewritten.ok()) << rewritten.status().message();
  EXPECT_EQ(*rewritten, "coalesce(NEW.\"name\", NEW.\"Mixed Case\", other, t.name, 'name')");
}

TEST(RewriteColumnRefsTest, ReachesIntoSubqueries) {
  auto resolve = [](const std::string& name) -> std::optional<std::string> {
    if (name == "user_id") return "NEW.user_id";
    return std::nullopt;
  };
  auto rewritten = RewriteColumnRefs(
      "SELECT CASE WHEN EXISTS (SELECT 1 FROM users u WHERE u.id = user_id) THEN user_id END",
      resolve);
  ASSERT_TRUE(rewritten.ok());
  EXPECT_EQ(*rewritten,
            "CASE WHEN EXISTS (SELECT 1 FROM users u WHERE u.id = NEW.user_id) THEN "
            "NEW.user_id END");
}

TEST(IsNonVolatileExpressionTest, ConstantsAndNowAreFastDefaults) {
  EXPECT_TRUE(*IsNonVolatileExpression("0"));
  EXPECT_TRUE(*IsNonVolatileExpression("'pending'::text"));
  EXPECT_TRUE(*IsNonVolatileExpression("now()"));
  EXPECT_TRUE(*IsNonVolatileExpression("CURRENT_TIMESTAMP"));
}

TEST(IsNonVolatileExpressionTest, UnknownFunctionsAndSubqueriesAreTreatedAsVolatile) {
  EXPECT_FALSE(*IsNonVolatileExpression("gen_random_uuid()"));
  EXPECT_FALSE(*IsNonVolatileExpression("random() * 10"));
  EXPECT_FALSE(*IsNonVolatileExpression("(SELECT 1)"));
}

TEST(CalledFunctionsTest, ListsFunctionsAndKeywords) {
  auto names = CalledFunctions("coalesce(lower(name), pg_catalog.md5(email)) || CURRENT_DATE");
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"lower", "md5", "sql value function"}));
}

TEST(CheckTypeNameTest, AcceptsTypesAndRejectsInjection) {
  EXPECT_TRUE(CheckTypeName("varchar(255)").ok());
  EXPECT_TRUE(CheckTypeName("timestamp with time zone").ok());
  EXPECT_TRUE(CheckTypeName("int[]").ok());
  EXPECT_FALSE(CheckTypeName("int); DROP TABLE users; --").ok());
  EXPECT_FALSE(CheckTypeName("not a type at all").ok());
}

// A chain of binary operators parses into a tree as deep as the chain; a
// migration file of 128 KiB holds one of 65,000 operators.
std::string OperatorChain(int operators) {
  std::string sql = "1";
  for (int i = 0; i < operators; ++i) sql += "+1";
  return sql;
}

TEST(PgParseDepthTest, LongOperatorChainsAreRefusedWithoutOverflowingTheStack) {
  std::string chain = OperatorChain(65000);
  Status statements = CheckStatements("SELECT " + chain);
  EXPECT_EQ(statements.kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(statements.message().find("nests too deeply"), std::string::npos)
      << statements.message();
  EXPECT_FALSE(CheckExpression(chain).ok());
  EXPECT_FALSE(IsNonVolatileExpression(chain).ok());
}

TEST(PgParseDepthTest, ChainsOfHundredsOfOperatorsStillParse) {
  std::string chain = OperatorChain(1000);
  EXPECT_TRUE(CheckStatements("SELECT " + chain).ok());
  Result<std::string> rewritten =
      RewriteColumnRefs(chain + "+a", [](const std::string&) { return std::string("b"); });
  ASSERT_TRUE(rewritten.ok()) << rewritten.status().message();
  EXPECT_EQ(rewritten->substr(rewritten->size() - 2), "+b");
}

}  // namespace
}  // namespace tandem::lint
