// alter_column keeps what the column had: its constraints, indexes, comment
// and (when it fits) its default move to the new column and keep their
// names; a change of default alone is in force for the new version from
// start.
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE teams (id bigserial PRIMARY KEY, name text);
INSERT INTO teams (name) SELECT 'team ' || i FROM generate_series(1, 5) i;
CREATE TABLE members (
  id bigserial PRIMARY KEY,
  email text CONSTRAINT members_email_key UNIQUE,
  team_id bigint CONSTRAINT members_team_fk REFERENCES teams (id),
  zip text CONSTRAINT members_zip_check CHECK (length(zip) <= 10),
  age text DEFAULT '0',
  nickname varchar(20) DEFAULT 'none',
  status text DEFAULT 'old',
  score integer DEFAULT 5
);
CREATE INDEX members_zip_idx ON members (zip);
CREATE INDEX members_lower_email_idx ON members (lower(email)) WHERE email IS NOT NULL;
COMMENT ON COLUMN members.email IS 'login address';
INSERT INTO members (email, team_id, zip, age, status)
  SELECT 'm' || i || '@example.com', 1 + i % 5, 'z' || i, (i % 70)::text,
         CASE WHEN i % 2 = 0 THEN NULL ELSE 'old' END
  FROM generate_series(1, 100) i;
)sql";

constexpr char kNew[] = "public_01_alter";

class AlterColumnTest : public PgTest {
 protected:
  void SetUpDatabase() override { Exec(kSchema); }
  // Whether `sql` fails, run with the search path of `schema`.
  bool FailsIn(const std::string& schema, const std::string& sql) {
    auto conn = Connect();
    return !conn->Execute("SET search_path TO " + schema + "; " + sql).ok();
  }
  // Starts the migration of `file`, then inserts a row through each version
  // (new@example.com, old@example.com) that leaves the other columns to
  // their defaults.
  void StartAndInsertThroughBoth(const std::string& file) {
    CommandResult start = Tandem({"start", file});
    ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
    Exec(std::string("SET search_path TO ") + kNew +
         "; INSERT INTO members (email) VALUES ('new@example.com')");
    Exec("INSERT INTO members (email) VALUES ('old@example.com')");
  }
  void Complete() {
    CommandResult complete = Tandem({"complete"});
    ASSERT_EQ(complete.exit_code, 0) << complete.out << complete.err;
  }
  // Completes the migration; `column` then has `expected` as its default
  // ("none" for no default).
  void CompleteAndExpectDefault(const std::string& column, const std::string& expected) {
    Complete();
    if (HasFatalFailure()) return;
    EXPECT_EQ(Default(column), expected);
  }
  std::string Default(const std::string& column) {
    return Scalar(
        "SELECT coalesce((SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN "
        "pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = "
        "'members'::regclass AND a.attname = '" +
        column + "'), 'none')");
  }
};

// Each `down` writes to the old column a value its own constraint accepts,
// so that only the constraint carried over to the new column can refuse a
// write of the new version.
constexpr char kAlterThree[] = R"y(operations:
  - alter_column:
      table: members
      column: email
      nullable: false
      up: lower(coalesce(email, 'unknown-' || id))
      down: upper(email)
  - alter_column:
      table: members
      column: team_id
      type: integer
      up: team_id
      down: SELECT CASE WHEN team_id > 5 THEN NULL ELSE team_id END
  - alter_column:
      table: members
      column: zip
      nullable: false
      up: coalesce(zip, '')
      down: left(zip, 10)
)y";

TEST_F(AlterColumnTest, ConstraintsIndexesAndCommentHoldTheNewVersionAndKeepTheirNames) {
  std::string file = WriteMigration("01_alter.yaml", kAlterThree);
  CommandResult start = Tandem({"start", file});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  // The new version is held to them during the migration.
  EXPECT_TRUE(FailsIn(kNew, "INSERT INTO members (email, zip) VALUES ('m1@example.com', 'a')"))
      << "a duplicate email through the new version must fail";
  EXPECT_TRUE(FailsIn(kNew,
                      "INSERT INTO members (email, zip) VALUES ('x@example.com', "
                      "'much too long a zip')"));
  EXPECT_TRUE(FailsIn(kNew,
                      "INSERT INTO members (email, zip, team_id) VALUES ('y@example.com', "
                      "'a', 999)"));
  EXPECT_FALSE(FailsIn(kNew,
                       "INSERT INTO members (email, zip, team_id) VALUES ('z@example.com', "
                       "'a', 2)"));
  Complete();
  if (HasFatalFailure()) return;
  EXPECT_EQ(
      Scalar("SELECT string_agg(conname || ':' || contype::text || ':' || convalidated || ':' || "
             "(SELECT string_agg(attname, ',') FROM pg_attribute WHERE attrelid = conrelid "
             "AND attnum = ANY (conkey)), ' ' ORDER BY conname) FROM pg_constraint WHERE "
             "conrelid = 'members'::regclass AND contype <> 'p'"),
      "members_email_key:u:true:email members_team_fk:f:true:team_id "
      "members_zip_check:c:true:zip");
  EXPECT_EQ(Scalar("SELECT string_agg(indexrelid::regclass::text, ' ' ORDER BY "
                   "indexrelid::regclass::text) FROM pg_index "
                   "WHERE indrelid = 'members'::regclass AND NOT indisprimary"),
            "members_email_key members_lower_email_idx members_zip_idx");
  EXPECT_EQ(Scalar("SELECT pg_get_indexdef('members_lower_email_idx'::regclass)"),
            "CREATE INDEX members_lower_email_idx ON public.members USING btree (lower(email)) "
            "WHERE (email IS NOT NULL)");
  EXPECT_EQ(Scalar("SELECT col_description('members'::regclass, attnum) FROM pg_attribute WHERE "
                   "attrelid = 'members'::regclass AND attname = 'email'"),
            "login address");
  EXPECT_TRUE(FailsIn("public", "INSERT INTO members (email, zip) VALUES ('m2@example.com', 'a')"))
      << "a duplicate email after complete must fail";
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_class WHERE relname LIKE '\\_tandem%'"), "0");
}

TEST_F(AlterColumnTest, ConstraintsAddedNotValidAreValidatedOnceTheBackfillIsDone) {
  CommandResult start =
      Tandem({"start", "--skip-backfill", WriteMigration("01_alter.yaml", kAlterThree)});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  const std::string not_valid =
      "SELECT string_agg(conname, ' ' ORDER BY conname) FROM pg_constraint WHERE conrelid = "
      "'members'::regclass AND NOT convalidated";
  EXPECT_EQ(Scalar(not_valid),
            "_tandem_members_team_fk _tandem_members_zip_check _tandem_nn__tandem_new_email "
            "_tandem_nn__tandem_new_zip");
  CommandResult backfill = Tandem({"backfill"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.out << backfill.err;
  EXPECT_EQ(Scalar(not_valid), "NULL");
}

TEST_F(AlterColumnTest, RollbackLeavesNoCopyBehind) {
  std::string before = SchemaDump(url_);
  CommandResult start = Tandem({"start", WriteMigration("01_alter.yaml", kAlterThree)});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  CommandResult rollback = Tandem({"rollback"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_EQ(SchemaDump(url_), before);
}

TEST_F(AlterColumnTest, ATypeChangeDropsADefaultThatDoesNotFitTheNewType) {
  std::string file = WriteMigration("01_alter.yaml", R"y(operations:
  - alter_column:
      table: members
      column: age
      type: integer
      up: CAST(age AS integer)
      down: CAST(age AS text)
  - alter_column:
      table: members
      column: nickname
      type: text
      up: nickname
      down: nickname
)y");
  CommandResult plan = Tandem({"plan", file});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("default of members.age ('0'::text) is kept under the new type "
                          "integer only if it fits"),
            std::string::npos)
      << plan.out;
  StartAndInsertThroughBoth(file);
  if (HasFatalFailure()) return;
  EXPECT_EQ(ScalarIn(kNew,
                     "SELECT coalesce(age::text, 'NULL') || ' ' || nickname FROM members "
                     "WHERE email = 'new@example.com'"),
            "NULL none");
  CompleteAndExpectDefault("age", "none");
  EXPECT_EQ(Default("nickname"), "'none'::character varying");
}

TEST_F(AlterColumnTest, ACheckThatDoesNotApplyToTheNewTypeIsLeftOut) {
  std::string file = WriteMigration("01_alter.yaml", R"y(operations:
  - alter_column:
      table: members
      column: zip
      type: integer
      up: length(zip)
      down: CAST(zip AS text)
)y");
  CommandResult plan = Tandem({"plan", file});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("constraint members_zip_check of members is kept under the new type "
                          "only if it applies to it"),
            std::string::npos)
      << plan.out;
  CommandResult start = Tandem({"start", file});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  Complete();
  if (HasFatalFailure()) return;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_constraint WHERE conrelid = 'members'::regclass AND "
                   "contype = 'c'"),
            "0")
      << "length(zip) has no meaning for an integer";
  EXPECT_EQ(Scalar("SELECT pg_get_indexdef('members_zip_idx'::regclass)"),
            "CREATE INDEX members_zip_idx ON public.members USING btree (zip)");
}

TEST_F(AlterColumnTest, ANewDefaultWithUpAndDownHoldsForTheNewVersionFromStart) {
  StartAndInsertThroughBoth(WriteMigration("01_alter.yaml", R"y(operations:
  - alter_column:
      table: members
      column: status
      default: "'new'"
      up: coalesce(status, 'unknown')
      down: status
)y"));
  if (HasFatalFailure()) return;
  EXPECT_EQ(ScalarIn(kNew,
                     "SELECT string_agg(status || ':' || n, ' ' ORDER BY status) FROM "
                     "(SELECT status, count(*) n FROM members GROUP BY status) s"),
            "new:1 old:51 unknown:50");
  EXPECT_EQ(Scalar("SELECT status FROM members WHERE email = 'new@example.com'"), "new");
  CompleteAndExpectDefault("status", "'new'::text");
}

TEST_F(AlterColumnTest, ADroppedDefaultIsGoneForTheNewVersionFromStart) {
  StartAndInsertThroughBoth(WriteMigration("01_alter.yaml", R"y(operations:
  - alter_column: {table: members, column: score, default: null}
)y"));
  if (HasFatalFailure()) return;
  EXPECT_EQ(ScalarIn(kNew,
                     "SELECT string_agg(email || ':' || coalesce(score::text, 'NULL'), ' ' "
                     "ORDER BY email) FROM members WHERE email NOT LIKE 'm%'"),
            "new@example.com:NULL old@example.com:5");
  CompleteAndExpectDefault("score", "none");
}

}  // namespace
}  // namespace tandem::testing
