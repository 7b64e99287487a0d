#include "plan/sql_clauses.h"

#include <gtest/gtest.h>

namespace tandem::plan {
namespace {

std::optional<std::string> ZipToShadow(const std::string& name) {
  if (name == "zip") return "\"_tandem_new_zip\"";
  return std::nullopt;
}

TEST(RenameColumnsInSqlTest, RenamesColumnsInAnIndexDefinition) {
  EXPECT_EQ(RenameColumnsInSql("USING btree (zip text_pattern_ops, name DESC) WHERE (zip <> "
                               "'zip'::text)",
                               ZipToShadow),
            "USING btree (\"_tandem_new_zip\" text_pattern_ops, name DESC) WHERE "
            "(\"_tandem_new_zip\" <> 'zip'::text)");
}

TEST(RenameColumnsInSqlTest, LeavesLiteralsQualifiedNamesTypesAndCallsAlone) {
  EXPECT_EQ(RenameColumnsInSql("USING btree (zip(x), t.zip, y::zip, 'it''s zip')", ZipToShadow),
            "USING btree (zip(x), t.zip, y::zip, 'it''s zip')");
}

TEST(RenameColumnsInSqlTest, RenamesQuotedNames) {
  auto rename = [](const std::string& name) -> std::optional<std::string> {
    if (name == "Zip \"Code\"") return "\"_tandem_new_Zip\"";
    return std::nullopt;
  };
  EXPECT_EQ(RenameColumnsInSql("USING btree (\"Zip \"\"Code\"\"\")", rename),
            "USING btree (\"_tandem_new_Zip\")");
}

}  // namespace
}  // namespace tandem::plan
