// Every pgroll operation through the whole lifecycle on a real server:
//   start -> writes through the old and the new version -> complete -> checks
//   start -> rollback -> schema identical to before (pg_dump) and data unchanged
#include <gtest/gtest.h>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

// The schema every case starts from.
constexpr char kBaseSchema[] = R"sql(
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  name text,
  email text NOT NULL,
  age integer,
  CONSTRAINT users_age_check CHECK (age >= 0)
);
CREATE TABLE posts (
  id bigserial PRIMARY KEY,
  user_id bigint REFERENCES users (id),
  editor_id bigint,
  title text,
  body text,
  CONSTRAINT posts_title_body_check CHECK (title <> body)
);
CREATE INDEX posts_title_idx ON posts (title);
CREATE TABLE tags (name text, label text);
INSERT INTO users (name, email, age)
  SELECT CASE WHEN i % 4 = 0 THEN NULL ELSE 'user' || i END, 'u' || i || '@example.com', i % 90
  FROM generate_series(1, 300) i;
INSERT INTO posts (user_id, editor_id, title, body)
  SELECT i, i, 'title ' || i, 'body ' || i FROM generate_series(1, 300) i;
INSERT INTO tags SELECT 'tag' || i, 'label' || i FROM generate_series(1, 50) i;
)sql";

struct Case {
  const char* name;          // also the migration name: version schema public_<name>
  const char* migration;     // YAML
  const char* old_write;     // SQL through the old version while active ("" = none)
  const char* new_write;     // SQL through the new version while active ("" = none)
  const char* active_check;  // boolean SQL through the new version after both writes
  const char* final_check;   // boolean SQL after complete (default search_path)
};

const Case kCases[] = {
    {"create_table", R"y(operations:
  - create_table:
      name: orders
      comment: customer orders
      columns:
        - {name: id, type: bigserial, pk: true}
        - {name: user_id, type: bigint, references: {name: orders_user_fk, table: users, column: id}}
        - {name: amount, type: "numeric(10,2)", nullable: false, default: "0", check: {name: amount_positive, constraint: amount >= 0}}
        - {name: code, type: text, unique: true, comment: external code}
)y",
     "", "INSERT INTO orders (user_id, amount, code) VALUES (1, 5, 'A1')",
     "(SELECT count(*) FROM orders) = 1",
     "(SELECT count(*) FROM pg_constraint WHERE conname IN ('orders_user_fk', "
     "'amount_positive')) = 2 AND obj_description('orders'::regclass, 'pg_class') = 'customer "
     "orders'"},
    {"add_column_up", R"y(operations:
  - add_column:
      table: users
      up: upper(name)
      column: {name: display_name, type: text, nullable: true}
)y",
     "INSERT INTO users (name, email) VALUES ('zed', 'zed@example.com')",
     "INSERT INTO users (name, email, display_name) VALUES ('amy', 'amy@example.com', 'Amy!')",
     "(SELECT display_name FROM users WHERE name = 'zed') = 'ZED' AND "
     "(SELECT display_name FROM users WHERE name = 'amy') = 'Amy!'",
     "(SELECT count(*) FROM users WHERE name <> 'amy' AND display_name IS DISTINCT FROM "
     "upper(name)) = 0 AND (SELECT display_name FROM users WHERE name = 'amy') = 'Amy!'"},
    {"add_column_not_null_default", R"y(operations:
  - add_column:
      table: users
      column: {name: active, type: boolean, nullable: false, default: "true"}
)y",
     "INSERT INTO users (name, email) VALUES ('zed', 'zed@example.com')",
     "INSERT INTO users (name, email, active) VALUES ('amy', 'amy@example.com', false)",
     "(SELECT active FROM users WHERE name = 'amy') = false AND (SELECT active FROM users "
     "WHERE name = 'zed')",
     "(SELECT attnotnull FROM pg_attribute WHERE attrelid = 'users'::regclass AND attname = "
     "'active') AND (SELECT count(*) FROM users WHERE active) = 301"},
    {"add_column_volatile_default", R"y(operations:
  - add_column:
      table: users
      column: {name: token, type: uuid, nullable: false, default: gen_random_uuid()}
)y",
     "INSERT INTO users (name, email) VALUES ('zed', 'zed@example.com')", "",
     "(SELECT token FROM users WHERE name = 'zed') IS NOT NULL",
     "(SELECT count(DISTINCT token) FROM users) = (SELECT count(*) FROM users)"},
    {"add_column_serial_not_null", R"y(operations:
  - add_column:
      table: users
      column: {name: counter, type: bigserial, nullable: false}
  - add_column:
      table: users
      column: {name: small_counter, type: smallserial, nullable: false}
)y",
     "INSERT INTO users (name, email) VALUES ('zed', 'zed@example.com')",
     "INSERT INTO users (name, email) VALUES ('amy', 'amy@example.com')",
     "(SELECT count(DISTINCT counter) FROM users WHERE counter IS NOT NULL) = 302 AND (SELECT "
     "count(DISTINCT small_counter) FROM users WHERE small_counter IS NOT NULL) = 302",
     "(SELECT format_type(atttypid, atttypmod) || attnotnull FROM pg_attribute WHERE attrelid = "
     "'users'::regclass AND attname = 'counter') = 'biginttrue' AND (SELECT "
     "format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'users'::regclass AND "
     "attname = 'small_counter') = 'smallint' AND pg_get_serial_sequence('users', 'counter') = "
     "'public.users_counter_seq' AND (SELECT count(DISTINCT counter) FROM users) = 302"},
    {"alter_column_type", R"y(operations:
  - alter_column:
      table: users
      column: age
      type: bigint
      up: age
      down: age
)y",
     "INSERT INTO users (name, email, age) VALUES ('zed', 'zed@example.com', 41)",
     "INSERT INTO users (name, email, age) VALUES ('amy', 'amy@example.com', 123)",
     "(SELECT age FROM users WHERE name = 'zed') = 41",
     "(SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
     "'users'::regclass AND attname = 'age') = 'bigint' AND (SELECT sum(age) FROM users) = "
     "(SELECT sum(i % 90) + 41 + 123 FROM generate_series(1, 300) i)"},
    {"alter_column_not_null", R"y(operations:
  - alter_column:
      table: users
      column: name
      nullable: false
      up: SELECT CASE WHEN name IS NULL THEN 'anonymous' ELSE name END
      down: name
)y",
     "INSERT INTO users (name, email) VALUES (NULL, 'zed@example.com')",
     "INSERT INTO users (name, email) VALUES ('amy', 'amy@example.com')",
     "(SELECT name FROM users WHERE email = 'zed@example.com') = 'anonymous'",
     "(SELECT count(*) FROM users WHERE name = 'anonymous') = 76 AND (SELECT attnotnull FROM "
     "pg_attribute WHERE attrelid = 'users'::regclass AND attname = 'name')"},
    {"alter_column_rename", R"y(operations:
  - alter_column:
      table: users
      column: email
      name: email_address
)y",
     "INSERT INTO users (name, email) VALUES ('zed', 'zed@example.com')",
     "INSERT INTO users (name, email_address) VALUES ('amy', 'amy@example.com')",
     "(SELECT count(*) FROM users WHERE email_address IN ('zed@example.com', "
     "'amy@example.com')) = 2",
     "(SELECT count(*) FROM users WHERE email_address LIKE '%@example.com') = 302"},
    {"alter_column_default_comment", R"y(operations:
  - alter_column:
      table: users
      column: email
      default: "'nobody@example.com'"
      comment: contact address
)y",
     "", "INSERT INTO users (name) VALUES ('amy')",
     "(SELECT email FROM users WHERE name = 'amy') = 'nobody@example.com'",
     "col_description('users'::regclass, 3) = 'contact address' AND (SELECT "
     "pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'users'::regclass AND adnum "
     "= 3) LIKE '%nobody@example.com%'"},
    {"alter_column_check", R"y(operations:
  - alter_column:
      table: users
      column: name
      check: {name: name_length, constraint: length(name) <= 8}
      up: SELECT CASE WHEN length(name) > 8 THEN left(name, 8) ELSE name END
      down: name
)y",
     "INSERT INTO users (name, email) VALUES ('abcdefghijkl', 'zed@example.com')",
     "INSERT INTO users (name, email) VALUES ('amy', 'amy@example.com')",
     "(SELECT name FROM users WHERE email = 'zed@example.com') = 'abcdefgh'",
     "(SELECT convalidated FROM pg_constraint WHERE conname = 'name_length') AND (SELECT "
     "max(length(name)) FROM users) <= 8"},
    {"alter_column_unique", R"y(operations:
  - alter_column:
      table: users
      column: email
      unique: {name: users_email_unique}
      up: email
      down: email
)y",
     "INSERT INTO users (name, email) VALUES ('zed', 'zed@example.com')",
     "INSERT INTO users (name, email) VALUES ('amy', 'amy@example.com')",
     "(SELECT count(*) FROM users WHERE email IN ('zed@example.com', 'amy@example.com')) = 2",
     "(SELECT contype FROM pg_constraint WHERE conname = 'users_email_unique') = 'u'"},
    {"alter_column_references", R"y(operations:
  - alter_column:
      table: posts
      column: editor_id
      references: {name: posts_editor_fk, table: users, column: id}
      up: SELECT CASE WHEN editor_id > 300 THEN NULL ELSE editor_id END
      down: editor_id
)y",
     "INSERT INTO posts (user_id, editor_id, title, body) VALUES (1, 999, 'a', 'b')",
     "INSERT INTO posts (user_id, editor_id, title, body) VALUES (1, 2, 'c', 'd')",
     "(SELECT editor_id FROM posts WHERE title = 'a') IS NULL",
     "(SELECT convalidated AND contype = 'f' FROM pg_constraint WHERE conname = "
     "'posts_editor_fk')"},
    {"drop_column", R"y(operations:
  - drop_column:
      table: users
      column: age
      down: "0"
)y",
     "INSERT INTO users (name, email, age) VALUES ('zed', 'zed@example.com', 30)",
     "INSERT INTO users (name, email) VALUES ('amy', 'amy@example.com')",
     "NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = "
     "current_schema() AND table_name = 'users' AND column_name = 'age') AND (SELECT age FROM "
     "public.users WHERE name = 'amy') = 0",
     "NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND "
     "column_name = 'age')"},
    {"rename_column", R"y(operations:
  - rename_column:
      table: posts
      from: body
      to: content
)y",
     "INSERT INTO posts (title, body) VALUES ('a', 'old body')",
     "INSERT INTO posts (title, content) VALUES ('b', 'new content')",
     "(SELECT content FROM posts WHERE title = 'a') = 'old body'",
     "(SELECT content FROM posts WHERE title = 'b') = 'new content'"},
    {"rename_table", R"y(operations:
  - rename_table:
      from: posts
      to: articles
)y",
     "INSERT INTO posts (title, body) VALUES ('a', 'b')",
     "INSERT INTO articles (title, body) VALUES ('c', 'd')",
     "(SELECT count(*) FROM articles) = 302", "(SELECT count(*) FROM articles) = 302"},
    {"drop_table", R"y(operations:
  - drop_table:
      name: tags
)y",
     "INSERT INTO tags VALUES ('x', 'y')", "", "to_regclass(current_schema() || '.tags') IS NULL",
     "to_regclass('public.tags') IS NULL"},
    {"create_index", R"y(operations:
  - create_index:
      name: users_name_pattern_idx
      table: users
      columns:
        name:
          opclass: text_pattern_ops
      method: btree
      predicate: name IS NOT NULL
      storage_parameters: fillfactor=80
)y",
     "", "", "true",
     "(SELECT indisvalid FROM pg_index WHERE indexrelid = "
     "'users_name_pattern_idx'::regclass) AND pg_get_indexdef('users_name_pattern_idx'::regclass) "
     "LIKE '%text_pattern_ops%WHERE (name IS NOT NULL)'"},
    {"create_unique_index", R"y(operations:
  - create_index:
      name: users_email_idx
      table: users
      columns: [email]
      unique: true
)y",
     "", "", "true",
     "(SELECT indisunique FROM pg_index WHERE indexrelid = 'users_email_idx'::regclass)"},
    {"drop_index", R"y(operations:
  - drop_index:
      name: posts_title_idx
)y",
     "", "", "true", "to_regclass('public.posts_title_idx') IS NULL"},
    {"create_constraint_unique", R"y(operations:
  - create_constraint:
      table: users
      name: users_name_email_key
      type: unique
      columns: [name, email]
      up: {name: name, email: email}
      down: {name: name, email: email}
)y",
     "INSERT INTO users (name, email) VALUES ('zed', 'zed@example.com')",
     "INSERT INTO users (name, email) VALUES ('amy', 'amy@example.com')",
     "(SELECT count(*) FROM users WHERE name IN ('zed', 'amy')) = 2",
     "(SELECT contype FROM pg_constraint WHERE conname = 'users_name_email_key') = 'u'"},
    {"create_constraint_check", R"y(operations:
  - create_constraint:
      table: posts
      name: posts_title_short
      type: check
      columns: [title]
      check: length(title) < 20
      up: {title: "SELECT CASE WHEN length(title) >= 20 THEN left(title, 19) ELSE title END"}
      down: {title: title}
)y",
     "INSERT INTO posts (title, body) VALUES ('a very long title indeed', 'x')",
     "INSERT INTO posts (title, body) VALUES ('short', 'y')",
     "(SELECT count(*) FROM posts WHERE length(title) >= 20) = 0",
     "(SELECT convalidated FROM pg_constraint WHERE conname = 'posts_title_short')"},
    {"create_constraint_foreign_key", R"y(operations:
  - create_constraint:
      table: posts
      name: posts_editor_fkey
      type: foreign_key
      columns: [editor_id]
      references: {table: users, columns: [id], on_delete: SET NULL}
      up: {editor_id: "SELECT CASE WHEN editor_id > 300 THEN NULL ELSE editor_id END"}
      down: {editor_id: editor_id}
)y",
     "INSERT INTO posts (editor_id, title, body) VALUES (777, 'a', 'b')",
     "INSERT INTO posts (editor_id, title, body) VALUES (3, 'c', 'd')",
     "(SELECT editor_id FROM posts WHERE title = 'a') IS NULL",
     "(SELECT convalidated AND confdeltype = 'n' FROM pg_constraint WHERE conname = "
     "'posts_editor_fkey')"},
    {"create_constraint_primary_key", R"y(operations:
  - create_constraint:
      table: tags
      name: tags_pkey
      type: primary_key
      columns: [name]
      up: {name: name}
      down: {name: name}
)y",
     "INSERT INTO tags VALUES ('x', 'y')", "INSERT INTO tags VALUES ('z', 'w')",
     "(SELECT count(*) FROM tags) = 52",
     "(SELECT contype FROM pg_constraint WHERE conname = 'tags_pkey') = 'p'"},
    {"drop_constraint", R"y(operations:
  - drop_constraint:
      table: users
      column: age
      name: users_age_check
      up: age
      down: SELECT CASE WHEN age < 0 THEN 0 ELSE age END
)y",
     "INSERT INTO users (name, email, age) VALUES ('zed', 'zed@example.com', 7)",
     "INSERT INTO users (name, email, age) VALUES ('amy', 'amy@example.com', -5)",
     "(SELECT age FROM users WHERE name = 'amy') = -5 AND (SELECT age FROM public.users WHERE "
     "name = 'amy') = 0",
     "NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_age_check') AND (SELECT "
     "age FROM users WHERE name = 'amy') = -5"},
    // pgroll's current form: no `column` (the constraint names it), and an
    // empty `up` reads as the column unchanged.
    {"drop_constraint_without_column", R"y(operations:
  - drop_constraint:
      table: users
      name: users_age_check
      up: ""
      down: SELECT CASE WHEN age < 0 THEN 0 ELSE age END
)y",
     "INSERT INTO users (name, email, age) VALUES ('zed', 'zed@example.com', 7)", "",
     "(SELECT age FROM users WHERE name = 'zed') = 7 AND (SELECT count(*) FROM users WHERE age "
     "IS NULL) = 0",
     "NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_age_check') AND (SELECT "
     "sum(age) FROM users) = (SELECT sum(i % 90) FROM generate_series(1, 300) i) + 7"},
    {"create_table_without_columns", R"y(operations:
  - create_table: {name: markers, columns: []}
)y",
     "", "", "(SELECT count(*) FROM markers) = 0",
     "(SELECT relnatts FROM pg_class WHERE oid = 'public.markers'::regclass) = 0"},
    {"create_and_drop_table", R"y(operations:
  - create_table:
      name: scratch
      columns: [{name: id, type: bigint, pk: true}]
  - drop_table: {name: scratch}
)y",
     "", "",
     "NOT EXISTS (SELECT 1 FROM pg_views WHERE schemaname = current_schema() AND viewname = "
     "'scratch')",
     "to_regclass('public.scratch') IS NULL"},
    {"drop_multicolumn_constraint", R"y(operations:
  - drop_multicolumn_constraint:
      table: posts
      name: posts_title_body_check
      up: {title: title, body: body}
      down:
        title: title
        body: SELECT CASE WHEN body = title THEN body || '.' ELSE body END
)y",
     "INSERT INTO posts (title, body) VALUES ('a', 'b')",
     "INSERT INTO posts (title, body) VALUES ('same', 'same')",
     "(SELECT count(*) FROM posts WHERE title = 'same' AND body = 'same') = 1",
     "NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'posts_title_body_check')"},
    {"rename_constraint", R"y(operations:
  - rename_constraint:
      table: users
      from: users_age_check
      to: users_age_not_negative
)y",
     "", "", "true",
     "EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_age_not_negative')"},
    {"set_replica_identity", R"y(operations:
  - set_replica_identity:
      table: users
      identity: {type: full}
)y",
     "", "", "true", "(SELECT relreplident FROM pg_class WHERE oid = 'users'::regclass) = 'f'"},
    {"raw_sql", R"y(operations:
  - sql:
      up: CREATE TABLE audit_log (id serial PRIMARY KEY, message text)
      down: DROP TABLE audit_log
)y",
     "", "", "to_regclass('public.audit_log') IS NOT NULL",
     "to_regclass('public.audit_log') IS NOT NULL"},
    {"raw_sql_on_complete", R"y(operations:
  - sql:
      up: CREATE TABLE audit_later (id serial PRIMARY KEY)
      onComplete: true
)y",
     "", "", "to_regclass('public.audit_later') IS NULL",
     "to_regclass('public.audit_later') IS NOT NULL"},
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class OperationTest : public PgTest, public ::testing::WithParamInterface<Case> {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    Exec(kBaseSchema);
    path_ = WriteMigration(std::string(GetParam().name) + ".yaml", GetParam().migration);
  }
  std::string NewVersion() const { return std::string("public_") + GetParam().name; }
  std::string DataFingerprint() {
    return Scalar(
        "SELECT md5((SELECT string_agg(u::text, '|' ORDER BY id) FROM users u) || (SELECT "
        "string_agg(p::text, '|' ORDER BY id) FROM posts p) || (SELECT string_agg(t::text, "
        "'|' ORDER BY name) FROM tags t))");
  }
  std::string path_;
};

TEST_P(OperationTest, StartWritesThroughBothVersionsThenComplete) {
  const Case& c = GetParam();
  CommandResult start = Tandem({"start", path_});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  if (*c.old_write) Exec(c.old_write);
  if (*c.new_write) Exec("SET search_path TO " + NewVersion() + "; " + c.new_write);
  EXPECT_EQ(ScalarIn(NewVersion(), std::string("SELECT (") + c.active_check + ")"), "t")
      << c.active_check;
  CommandResult complete = Tandem({"complete"});
  ASSERT_EQ(complete.exit_code, 0) << complete.out << complete.err;
  EXPECT_EQ(Scalar(std::string("SELECT (") + c.final_check + ")"), "t") << c.final_check;
  // No helper object of tandem's is left behind in the migrated schema.
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                   "'public' AND column_name LIKE '\\_tandem%'"),
            "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '\\_tandem\\_dual\\_write%'"),
            "0");
  EXPECT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "completed");
  // The new version's schema stays, now over the final physical names.
  EXPECT_EQ(Scalar("SELECT count(*) > 0 FROM information_schema.views WHERE table_schema = '" +
                   NewVersion() + "'"),
            "t");
}

TEST_P(OperationTest, StartThenRollbackRestoresSchemaAndData) {
  std::string schema_before = SchemaDump(url_);
  std::string data_before = DataFingerprint();
  CommandResult start = Tandem({"start", path_});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  CommandResult rollback = Tandem({"rollback"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_EQ(SchemaDump(url_), schema_before);
  EXPECT_EQ(DataFingerprint(), data_before);
  EXPECT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "rolled_back");
}

INSTANTIATE_TEST_SUITE_P(AllOperations, OperationTest, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace tandem::testing
