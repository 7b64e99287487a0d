#include "lint/body_refs.h"

#include <gtest/gtest.h>

namespace tandem::lint {
namespace {

BodyReferences Refs(const std::string& definition) {
  auto refs = FunctionBodyReferences(definition);
  EXPECT_TRUE(refs.ok()) << refs.status().message();
  return refs.ok() ? *refs : BodyReferences{};
}

TEST(BodyRefsTest, SqlBodyNamesItsTablesAndColumns) {
  BodyReferences refs = Refs(
      "CREATE FUNCTION f(p bigint) RETURNS int LANGUAGE sql AS "
      "$$ SELECT u.age FROM public.users u JOIN teams t ON t.id = u.team_id WHERE u.id = p $$");
  EXPECT_TRUE(NamesRelation(refs, "public", "users"));
  EXPECT_TRUE(NamesRelation(refs, "public", "teams"));  // unqualified
  EXPECT_FALSE(NamesRelation(refs, "other", "users"));  // qualified by another schema
  EXPECT_EQ(refs.columns.count("age"), 1u);
  EXPECT_EQ(refs.columns.count("team_id"), 1u);
  EXPECT_FALSE(refs.parsed_by_server);
}

TEST(BodyRefsTest, StringsAreNoReference) {
  BodyReferences refs =
      Refs("CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT 'age from users' $$");
  EXPECT_TRUE(refs.relations.empty());
  EXPECT_TRUE(refs.columns.empty());
}

TEST(BodyRefsTest, BeginAtomicBodyIsKeptParsedByTheServer) {
  BodyReferences refs = Refs(
      "CREATE FUNCTION f() RETURNS bigint LANGUAGE sql "
      "BEGIN ATOMIC SELECT count(*) FROM users WHERE age > 1; END");
  EXPECT_TRUE(NamesRelation(refs, "public", "users"));
  EXPECT_EQ(refs.columns.count("age"), 1u);
  EXPECT_TRUE(refs.parsed_by_server);
}

TEST(BodyRefsTest, PlpgsqlStatementsExpressionsAssignmentsAndRecordFields) {
  BodyReferences refs = Refs(R"(CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE n int;
    BEGIN
      n := NEW.age + 1;
      IF OLD.nickname IS NULL THEN RAISE 'x'; END IF;
      INSERT INTO audit (who, what) VALUES (NEW.id, 'changed');
      UPDATE archive.totals SET total = total + n;
      EXECUTE 'SELECT secret FROM hidden';
      RETURN NEW;
    END $$)");
  EXPECT_EQ(refs.columns.count("age"), 1u);
  EXPECT_EQ(refs.columns.count("nickname"), 1u);
  EXPECT_EQ(refs.columns.count("who"), 1u);    // INSERT's column list
  EXPECT_EQ(refs.columns.count("total"), 1u);  // UPDATE's SET
  EXPECT_TRUE(NamesRelation(refs, "public", "audit"));
  EXPECT_TRUE(NamesRelation(refs, "archive", "totals"));
  EXPECT_TRUE(NamesSchema(refs, "archive"));
  // SQL built at run time is not read.
  EXPECT_FALSE(NamesRelation(refs, "public", "hidden"));
  EXPECT_EQ(refs.columns.count("secret"), 0u);
}

TEST(BodyRefsTest, PlpgsqlLoopsPerformAndReturnQuery) {
  BodyReferences refs = Refs(R"(CREATE FUNCTION f() RETURNS SETOF int LANGUAGE plpgsql AS $$
    DECLARE r record;
    BEGIN
      PERFORM age FROM users;
      FOR r IN SELECT nickname FROM people LOOP RETURN NEXT 1; END LOOP;
      RETURN QUERY SELECT score FROM games;
    END $$)");
  for (const char* column : {"age", "nickname", "score"}) {
    EXPECT_EQ(refs.columns.count(column), 1u) << column;
  }
  for (const char* table : {"users", "people", "games"}) {
    EXPECT_TRUE(NamesRelation(refs, "public", table)) << table;
  }
  EXPECT_TRUE(refs.unread.empty());
}

TEST(BodyRefsTest, ProceduresAndOtherLanguages) {
  BodyReferences procedure =
      Refs("CREATE PROCEDURE p() LANGUAGE sql AS $$ DELETE FROM notes WHERE body IS NULL $$");
  EXPECT_TRUE(NamesRelation(procedure, "public", "notes"));
  EXPECT_EQ(procedure.columns.count("body"), 1u);
  BodyReferences c = Refs("CREATE FUNCTION f() RETURNS int LANGUAGE c AS 'lib', 'f'");
  EXPECT_TRUE(c.relations.empty());
  EXPECT_FALSE(FunctionBodyReferences("SELECT 1").ok());
}

}  // namespace
}  // namespace tandem::lint
