#include "reader/reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <variant>

#include "common/sha256.h"
#include "reader/reader_test_helpers.h"

namespace tandem::reader {
namespace {

TEST(ReaderTest, CreateTableWithEveryColumnField) {
  auto op = OnlyBody<plan::CreateTable>(R"--(
operations:
  - create_table:
      name: orders
      comment: customer orders
      columns:
        - name: id
          type: bigint
          pk: true
          generated:
            identity:
              user_specified_values: BY DEFAULT
              sequence_options: START 100
        - name: user_id
          type: bigint
          nullable: false
          references:
            name: fk_orders_user
            table: users
            column: id
            on_delete: cascade
            match_type: FULL
            deferrable: true
        - name: amount
          type: numeric(10,2)
          default: 0
          check: {name: amount_positive, constraint: amount >= 0, no_inherit: true}
        - name: code
          type: varchar(32)
          unique: true
          comment: null
        - name: total
          type: numeric
          generated: {expression: amount * 2}
      constraints:
        - name: orders_code_amount
          type: unique
          columns: [code, amount]
          nulls_not_distinct: true
          index_parameters: {tablespace: fast, storage_parameters: fillfactor=70,
                             include_columns: [user_id]}
        - name: orders_user_fk
          type: foreign_key
          columns: [user_id]
          references: {table: users, columns: [id], on_delete: SET NULL,
                       on_delete_set_columns: [user_id], on_update: restrict}
          deferrable: true
          initially_deferred: true
        - name: orders_amount_check
          type: check
          check: amount < 1000000
          no_inherit: true
        - name: orders_no_overlap
          type: exclude
          exclude: {index_method: gist, elements: "code WITH =", predicate: amount > 0}
)--");
  EXPECT_EQ(op.name, "orders");
  EXPECT_EQ(op.comment.value, "customer orders");
  ASSERT_EQ(op.columns.size(), 5u);
  const plan::ColumnDef& id = op.columns[0];
  EXPECT_TRUE(id.pk);
  EXPECT_FALSE(id.nullable);  // not given: pgroll's default is NOT NULL
  ASSERT_TRUE(id.generated && id.generated->identity);
  EXPECT_EQ(id.generated->identity->user_specified_values, "BY DEFAULT");
  EXPECT_EQ(id.generated->identity->sequence_options, "START 100");
  const plan::ColumnDef& user_id = op.columns[1];
  EXPECT_FALSE(user_id.nullable);
  ASSERT_TRUE(user_id.references);
  EXPECT_EQ(user_id.references->name, "fk_orders_user");
  EXPECT_EQ(user_id.references->table, "users");
  EXPECT_EQ(user_id.references->columns, std::vector<std::string>{"id"});
  EXPECT_EQ(user_id.references->on_delete, "CASCADE");
  EXPECT_EQ(user_id.references->match_type, "FULL");
  EXPECT_TRUE(user_id.references->deferrable);
  const plan::ColumnDef& amount = op.columns[2];
  EXPECT_EQ(amount.type, "numeric(10,2)");
  EXPECT_TRUE(amount.default_value.IsSet());
  EXPECT_EQ(amount.default_value.value, "0");
  ASSERT_TRUE(amount.check);
  EXPECT_EQ(amount.check->name, "amount_positive");
  EXPECT_EQ(amount.check->constraint, "amount >= 0");
  EXPECT_TRUE(amount.check->no_inherit);
  EXPECT_TRUE(op.columns[3].unique);
  EXPECT_TRUE(op.columns[3].comment.present && op.columns[3].comment.is_null);
  EXPECT_EQ(op.columns[4].generated->expression, "amount * 2");

  ASSERT_EQ(op.constraints.size(), 4u);
  const plan::ConstraintDef& unique = op.constraints[0];
  EXPECT_EQ(unique.type, "unique");
  EXPECT_EQ(unique.columns, (std::vector<std::string>{"code", "amount"}));
  EXPECT_TRUE(unique.nulls_not_distinct);
  EXPECT_EQ(unique.index_parameters.tablespace, "fast");
  EXPECT_EQ(unique.index_parameters.storage_parameters, "fillfactor=70");
  EXPECT_EQ(unique.index_parameters.include_columns, std::vector<std::string>{"user_id"});
  const plan::ConstraintDef& fk = op.constraints[1];
  ASSERT_TRUE(fk.references);
  EXPECT_EQ(fk.references->on_delete, "SET NULL");
  EXPECT_EQ(fk.references->on_update, "RESTRICT");
  EXPECT_EQ(fk.references->on_delete_set_columns, std::vector<std::string>{"user_id"});
  EXPECT_TRUE(fk.deferrable && fk.initially_deferred);
  EXPECT_EQ(op.constraints[2].check, "amount < 1000000");
  EXPECT_TRUE(op.constraints[2].no_inherit);
  ASSERT_TRUE(op.constraints[3].exclude);
  EXPECT_EQ(op.constraints[3].exclude->index_method, "gist");
  EXPECT_EQ(op.constraints[3].exclude->elements, "code WITH =");
}

TEST(ReaderTest, AddColumnKeepsScalarDefaultsAsText) {
  auto op = OnlyBody<plan::AddColumn>(R"--(
operations:
  - add_column:
      table: users
      up: "false"
      column: {name: active, type: boolean, nullable: false, default: true}
)--");
  EXPECT_EQ(op.table, "users");
  EXPECT_EQ(op.up, "false");
  EXPECT_EQ(op.column.name, "active");
  EXPECT_EQ(op.column.type, "boolean");
  EXPECT_FALSE(op.column.nullable);
  EXPECT_EQ(op.column.default_value.value, "true");
}

TEST(ReaderTest, AddColumnSerialNotNullNeedsNoUp) {
  for (const char* type : {"serial", "BIGSERIAL", "smallserial", "serial8"}) {
    auto op = OnlyBody<plan::AddColumn>(std::string(R"--(
operations:
  - add_column:
      table: users
      column: {name: counter, nullable: false, type: )--") +
                                        type + "}\n");
    EXPECT_EQ(op.column.type, type);
    EXPECT_TRUE(op.up.empty());
  }
  EXPECT_NE(ErrorOf("operations:\n  - add_column:\n      table: users\n      column: {name: c, "
                    "type: integer, nullable: false}\n")
                .find("add_column.up: required field is missing"),
            std::string::npos);
}

TEST(ReaderTest, DefaultsThatAreValues) {
  auto op = OnlyBody<plan::CreateTable>(R"--(
operations:
  - create_table:
      name: t
      columns:
        - {name: a, type: text, default: "'active'"}
        - {name: b, type: timestamptz, default: CURRENT_TIMESTAMP}
        - {name: c, type: timestamptz, default: now()}
        - {name: d, type: int, default: -1}
        - {name: e, type: boolean, default: FALSE}
)--");
  ASSERT_EQ(op.columns.size(), 5u);
  EXPECT_EQ(op.columns[0].default_value.value, "'active'");
  EXPECT_EQ(op.columns[1].default_value.value, "CURRENT_TIMESTAMP");
  EXPECT_EQ(op.columns[2].default_value.value, "now()");
  EXPECT_EQ(op.columns[3].default_value.value, "-1");
  EXPECT_EQ(op.columns[4].default_value.value, "FALSE");
}

TEST(ReaderTest, AlterColumnWithEveryChange) {
  auto op = OnlyBody<plan::AlterColumn>(R"--(
operations:
  - alter_column:
      table: users
      column: email
      name: email_address
      type: varchar(320)
      nullable: false
      default: null
      comment: null
      check: {name: email_has_at, constraint: "email_address LIKE '%@%'"}
      unique: {name: users_email_key}
      references: {name: fk_users_org, table: orgs, column: id, on_update: NO ACTION}
      up: SELECT lower(email)
      down: email_address
)--");
  EXPECT_EQ(op.table, "users");
  EXPECT_EQ(op.column, "email");
  EXPECT_EQ(op.name, "email_address");
  EXPECT_EQ(op.type, "varchar(320)");
  EXPECT_EQ(op.nullable, false);
  EXPECT_TRUE(op.default_value.present && op.default_value.is_null);
  EXPECT_TRUE(op.comment.present && op.comment.is_null);
  ASSERT_TRUE(op.check && op.unique && op.references);
  EXPECT_EQ(op.check->constraint, "email_address LIKE '%@%'");
  EXPECT_EQ(op.unique->name, "users_email_key");
  EXPECT_EQ(op.references->on_update, "NO ACTION");
  EXPECT_EQ(op.up, "SELECT lower(email)");
  EXPECT_EQ(op.down, "email_address");
}

TEST(ReaderTest, AlterColumnAbsentFieldsStayAbsent) {
  auto op = OnlyBody<plan::AlterColumn>(
      "operations:\n  - alter_column: {table: t, column: c, comment: hello}\n");
  EXPECT_FALSE(op.name || op.type || op.nullable || op.check || op.unique || op.references);
  EXPECT_FALSE(op.default_value.present);
  EXPECT_EQ(op.comment.value, "hello");
}

TEST(ReaderTest, SmallTableAndColumnOperations) {
  plan::Migration m = MustParse(R"--(
operations:
  - drop_column: {table: users, column: legacy, down: "'unknown'"}
  - rename_column: {table: users, from: mail, to: email}
  - rename_table: {from: people, to: users}
  - drop_table: {name: old_users}
  - drop_index: {name: users_old_idx}
)--");
  ASSERT_EQ(m.operations.size(), 5u);
  auto drop_column = std::get<plan::DropColumn>(m.operations[0].body);
  EXPECT_EQ(drop_column.column, "legacy");
  EXPECT_EQ(drop_column.down, "'unknown'");
  auto rename_column = std::get<plan::RenameColumn>(m.operations[1].body);
  EXPECT_EQ(rename_column.from, "mail");
  EXPECT_EQ(rename_column.to, "email");
  EXPECT_EQ(std::get<plan::RenameTable>(m.operations[2].body).to, "users");
  EXPECT_EQ(std::get<plan::DropTable>(m.operations[3].body).name, "old_users");
  EXPECT_EQ(std::get<plan::DropIndex>(m.operations[4].body).name, "users_old_idx");
  EXPECT_EQ(m.operations[1].kind, "rename_column");
}

TEST(ReaderTest, CreateIndexFromListOfNames) {
  auto op = OnlyBody<plan::CreateIndex>(R"--(
operations:
  - create_index:
      name: users_name_idx
      table: users
      columns: [last_name, first_name]
      method: BTREE
      predicate: deleted_at IS NULL
      storage_parameters: fillfactor=70
      unique: true
)--");
  ASSERT_EQ(op.columns.size(), 2u);
  EXPECT_EQ(op.columns[1].name, "first_name");
  EXPECT_EQ(op.method, "btree");
  EXPECT_EQ(op.predicate, "deleted_at IS NULL");
  EXPECT_EQ(op.storage_parameters, "fillfactor=70");
  EXPECT_TRUE(op.unique);
}

TEST(ReaderTest, CreateIndexFromMapOfSettings) {
  auto op = OnlyBody<plan::CreateIndex>(R"--(
operations:
  - create_index:
      name: docs_idx
      table: docs
      method: gist
      columns:
        title:
          opclass: {name: gist_trgm_ops, params: [siglen=32]}
          collate: C
        created_at:
          sort: desc
          nulls: LAST
        owner:
)--");
  ASSERT_EQ(op.columns.size(), 3u);
  EXPECT_EQ(op.columns[0].name, "title");
  EXPECT_EQ(op.columns[0].opclass, "gist_trgm_ops");
  EXPECT_EQ(op.columns[0].opclass_params, std::vector<std::string>{"siglen=32"});
  EXPECT_EQ(op.columns[0].collate, "C");
  EXPECT_EQ(op.columns[1].sort, "DESC");
  EXPECT_EQ(op.columns[1].nulls, "LAST");
  EXPECT_EQ(op.columns[2].name, "owner");
  EXPECT_TRUE(op.columns[2].opclass.empty());
}

TEST(ReaderTest, CreateIndexOpclassAsText) {
  auto op = OnlyBody<plan::CreateIndex>(
      "operations:\n  - create_index:\n      name: i\n      table: t\n"
      "      columns: {email: {opclass: text_pattern_ops}}\n");
  EXPECT_EQ(op.columns[0].opclass, "text_pattern_ops");
}

TEST(ReaderTest, CreateConstraintOfEachType) {
  plan::Migration m = MustParse(R"--(
operations:
  - create_constraint:
      table: users
      name: users_email_unique
      type: unique
      columns: [email]
      up: {email: "email || '-' || id"}
      down: {email: email}
  - create_constraint:
      table: orders
      name: orders_user_fk
      type: foreign_key
      columns: [user_id, tenant_id]
      references: {table: users, columns: [id, tenant_id], on_delete: CASCADE}
      up: {user_id: "CASE WHEN user_id IS NULL THEN 0 ELSE user_id END", tenant_id: tenant_id}
      down: {user_id: user_id, tenant_id: tenant_id}
  - create_constraint:
      table: orders
      name: orders_amount_check
      type: check
      columns: [amount]
      check: amount > 0
      no_inherit: true
      up: {amount: "GREATEST(amount, 1)"}
      down: {amount: amount}
)--");
  ASSERT_EQ(m.operations.size(), 3u);
  auto unique = std::get<plan::CreateConstraint>(m.operations[0].body);
  EXPECT_EQ(unique.table, "users");
  EXPECT_EQ(unique.constraint.name, "users_email_unique");
  EXPECT_EQ(unique.constraint.type, "unique");
  EXPECT_EQ(unique.up.at("email"), "email || '-' || id");
  auto fk = std::get<plan::CreateConstraint>(m.operations[1].body);
  ASSERT_TRUE(fk.constraint.references);
  EXPECT_EQ(fk.constraint.references->columns, (std::vector<std::string>{"id", "tenant_id"}));
  EXPECT_EQ(fk.down.size(), 2u);
  auto check = std::get<plan::CreateConstraint>(m.operations[2].body);
  EXPECT_EQ(check.constraint.check, "amount > 0");
  EXPECT_TRUE(check.constraint.no_inherit);
}

TEST(ReaderTest, ConstraintDropsAndRenames) {
  plan::Migration m = MustParse(R"--(
operations:
  - drop_constraint: {table: users, column: age, name: age_check, up: age, down: "GREATEST(age, 0)"}
  - drop_multicolumn_constraint:
      table: tickets
      name: tickets_check
      up: {sellable: sellable, price: price}
      down: {sellable: "CASE WHEN price = 0 THEN false ELSE sellable END", price: price}
  - rename_constraint: {table: users, from: users_email_key, to: users_email_unique}
)--");
  auto drop = std::get<plan::DropConstraint>(m.operations[0].body);
  EXPECT_EQ(drop.column, "age");
  EXPECT_EQ(drop.down, "GREATEST(age, 0)");
  auto drop_multi = std::get<plan::DropMultiColumnConstraint>(m.operations[1].body);
  EXPECT_EQ(drop_multi.name, "tickets_check");
  EXPECT_EQ(drop_multi.up.size(), 2u);
  EXPECT_EQ(drop_multi.down.at("price"), "price");
  auto rename = std::get<plan::RenameConstraint>(m.operations[2].body);
  EXPECT_EQ(rename.to, "users_email_unique");
}

TEST(ReaderTest, ReplicaIdentityAndRawSql) {
  plan::Migration m = MustParse(R"--(
operations:
  - set_replica_identity: {table: users, identity: {type: INDEX, index: users_pkey}}
  - set_replica_identity: {table: orders, identity: {type: full}}
  - sql:
      up: CREATE TABLE audit (id int); CREATE INDEX ON audit (id)
      down: DROP TABLE IF EXISTS audit
  - sql:
      up: ANALYZE users
      onComplete: true
)--");
  auto identity = std::get<plan::SetReplicaIdentity>(m.operations[0].body);
  EXPECT_EQ(identity.type, "index");
  EXPECT_EQ(identity.index, "users_pkey");
  EXPECT_EQ(std::get<plan::SetReplicaIdentity>(m.operations[1].body).type, "full");
  auto sql = std::get<plan::RawSql>(m.operations[2].body);
  EXPECT_EQ(sql.down, "DROP TABLE IF EXISTS audit");
  EXPECT_FALSE(sql.on_complete);
  EXPECT_TRUE(std::get<plan::RawSql>(m.operations[3].body).on_complete);
}

TEST(ReaderTest, JsonCreateTableAndIndex) {
  plan::Migration m = MustParse(R"--({
  "name": "02_orders",
  "operations": [
    {
      "create_table": {
        "name": "orders",
        "columns": [
          {"name": "id", "type": "serial", "pk": true},
          {"name": "note", "type": "text", "nullable": true, "default": "'none'"}
        ]
      }
    },
    {
      "create_index": {
        "name": "orders_note_idx", "table": "orders", "columns": ["note"], "method": "hash"
      }
    }
  ]
})--",
                                "migrations/02_orders.json");
  EXPECT_EQ(m.name, "02_orders");
  ASSERT_EQ(m.operations.size(), 2u);
  auto table = std::get<plan::CreateTable>(m.operations[0].body);
  EXPECT_EQ(table.columns[1].default_value.value, "'none'");
  EXPECT_TRUE(table.columns[0].pk);
  auto index = std::get<plan::CreateIndex>(m.operations[1].body);
  EXPECT_EQ(index.method, "hash");
  EXPECT_EQ(m.operations[1].at.At("name").line, 15);
}

TEST(ReaderTest, JsonAlterColumnAndSql) {
  plan::Migration m = MustParse(
      R"--({"operations": [
  {"alter_column": {"table": "reviews", "column": "rating", "type": "integer",
                    "up": "CAST(rating AS integer)", "down": "CAST(rating AS text)"}},
  {"sql": {"up": "UPDATE reviews SET rating = 0 WHERE rating IS NULL", "onComplete": true}}
]})--",
      "03_rating.json");
  auto alter = std::get<plan::AlterColumn>(m.operations[0].body);
  EXPECT_EQ(alter.type, "integer");
  EXPECT_EQ(alter.up, "CAST(rating AS integer)");
  EXPECT_TRUE(std::get<plan::RawSql>(m.operations[1].body).on_complete);
  EXPECT_EQ(m.name, "03_rating");
  EXPECT_EQ(m.operations[0].at.At().line, 2);
  EXPECT_EQ(m.operations[0].at.At().column, 4);
}

TEST(ReaderTest, RecordsPositions) {
  plan::Migration m = MustParse(R"--(operations:
  - add_column:
      table: users
      column:
        name: email
        type: text
        nullable: true
  - create_index:
      name: users_email_idx
      table: users
      columns: [email, id]
)--");
  const plan::Positions& add = m.operations[0].at;
  EXPECT_EQ(add.At().line, 2);
  EXPECT_EQ(add.At().column, 5);
  EXPECT_EQ(add.At("table").line, 3);
  EXPECT_EQ(add.At("table").column, 14);
  const plan::ColumnDef& column = std::get<plan::AddColumn>(m.operations[0].body).column;
  EXPECT_EQ(column.at.At().line, 5);
  EXPECT_EQ(column.at.At("type").line, 6);
  EXPECT_EQ(column.at.At("type").column, 15);
  const plan::Positions& index = m.operations[1].at;
  EXPECT_EQ(index.At("columns[1]").line, 11);
  EXPECT_EQ(index.At("columns[1]").column, 24);
  // An unknown field falls back to the operation's own position.
  EXPECT_EQ(index.At("nope").line, 8);
}

TEST(ReaderTest, ConstraintPositions) {
  auto op = OnlyBody<plan::CreateConstraint>(R"--(operations:
  - create_constraint:
      table: t
      name: t_u
      type: unique
      columns: [a]
      up: {a: a}
      down: {a: a}
)--");
  EXPECT_EQ(op.constraint.at.At("columns[0]").line, 6);
  EXPECT_EQ(op.constraint.at.At("columns[0]").column, 17);
}

TEST(ReaderTest, NamesContentAndChecksum) {
  std::string text = "operations:\n  - drop_table: {name: t}\n";
  plan::Migration m = MustParse(text, "some/dir/07_drop_t.yaml");
  EXPECT_EQ(m.name, "07_drop_t");
  EXPECT_EQ(m.version_schema, "07_drop_t");
  EXPECT_EQ(m.file, "some/dir/07_drop_t.yaml");
  EXPECT_EQ(m.content, text);
  EXPECT_EQ(m.checksum, Sha256Hex(text));

  plan::Migration named =
      MustParse("name: add_users\nversion_schema: v7\noperations:\n  - drop_table: {name: t}\n");
  EXPECT_EQ(named.name, "add_users");
  EXPECT_EQ(named.version_schema, "v7");
}

TEST(ReaderTest, TandemSettings) {
  plan::Migration m = MustParse(R"--(
operations:
  - drop_table: {name: t}
backfill:
  batch_size: 5000
  concurrency: 3
  target_chunk_time: 1s
  vacuum_every: 0
verify:
  - {name: has_email, table: users, check: email IS NOT NULL}
)--");
  EXPECT_EQ(m.settings.backfill_batch_size, 5000);
  EXPECT_EQ(m.settings.backfill_concurrency, 3);
  EXPECT_EQ(m.settings.backfill_target_chunk_time, Millis(1000));
  EXPECT_EQ(m.settings.backfill_vacuum_every, 0) << "0 turns vacuuming off; unset is automatic";
  EXPECT_FALSE(MustParse("operations: [{drop_table: {name: t}}]").settings.backfill_batch_size);
}

TEST(ReaderTest, ThrottleSettings) {
  plan::Migration m = MustParse(R"--(
operations:
  - drop_table: {name: t}
backfill:
  max_replica_lag: 2s
  replicas: ["host=replica1 dbname=app", "host=replica2 dbname=app"]
  max_active_sessions: 40
  max_lock_waiters: 0
  throttle_query: SELECT count(*) FROM jobs
  throttle_above: 100.5
  max_rows_per_second: 5000
  window: "22:00-06:00"
  max_runtime: 2h
)--");
  const plan::ThrottleSettings& t = m.settings.throttle;
  EXPECT_EQ(t.max_replica_lag, Millis(2000));
  EXPECT_EQ(t.replicas.size(), 2u);
  EXPECT_EQ(t.max_active_sessions, 40);
  EXPECT_EQ(t.max_lock_waiters, 0);
  EXPECT_EQ(t.throttle_query, "SELECT count(*) FROM jobs");
  EXPECT_EQ(t.throttle_above, 100.5);
  EXPECT_EQ(t.max_rows_per_second, 5000);
  EXPECT_EQ(t.window, "22:00-06:00");
  EXPECT_EQ(t.max_runtime, Millis(2 * 3600 * 1000));
}

TEST(ReaderTest, NamesMayBeReusedAfterADrop) {
  MustParse(R"--(
operations:
  - drop_index: {name: users_email_idx}
  - create_index: {name: users_email_idx, table: users, columns: [email]}
  - drop_index: {name: users_email_idx}
  - create_index: {name: users_email_idx, table: users, columns: [email, id]}
)--");
}

TEST(ReaderErrorTest, UnknownKeySuggestsTheClosest) {
  EXPECT_EQ(ErrorOf("operations:\n  - add_column:\n      tabel: users\n"),
            "m.yaml:3:7: operations[0].add_column.tabel: unknown key \"tabel\"; did you mean "
            "\"table\"? (allowed here: table, column, up)");
}

TEST(ReaderErrorTest, MissingRequiredFieldPointsAtTheMap) {
  EXPECT_EQ(ErrorOf("operations:\n  - add_column:\n      table: users\n"
                    "      column:\n        name: email\n"),
            "m.yaml:5:9: operations[0].add_column.column.type: required field is missing; give "
            "the column's PostgreSQL type, e.g. `type: text`");
}

TEST(ReaderErrorTest, WrongTypes) {
  EXPECT_EQ(ErrorOf("operations:\n  - alter_column: {table: t, column: c, nullable: yes please}\n"),
            "m.yaml:2:51: operations[0].alter_column.nullable: expected true or false, got "
            "\"yes please\"; write true or false");
  EXPECT_EQ(ErrorOf("operations:\n  - drop_table: {name: [a, b]}\n"),
            "m.yaml:2:24: operations[0].drop_table.name: expected a name, got a list; give a "
            "single value, not a list");
}

TEST(ReaderErrorTest, MalformedYamlHasAPosition) {
  std::string message = ErrorOf("operations:\n  - add_column: {table: t\n", "bad.yaml");
  EXPECT_EQ(message.rfind("bad.yaml:3:1: not valid YAML or JSON: ", 0), 0u) << message;
}

TEST(ReaderErrorTest, UnknownOperationListsValidOnes) {
  std::string message = ErrorOf("operations:\n  - add_colum: {table: t}\n");
  EXPECT_NE(message.find("m.yaml:2:5: operations[0]: unknown operation \"add_colum\"; did you "
                         "mean \"add_column\"?"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("set_replica_identity, sql"), std::string::npos) << message;
}

TEST(ReaderErrorTest, SqlThatDoesNotParseQuotesTheParser) {
  std::string message = ErrorOf(
      "operations:\n  - add_column:\n      table: t\n      up: lower(email\n"
      "      column: {name: e, type: text}\n");
  EXPECT_NE(message.find("m.yaml:4:11: operations[0].add_column.up: expression does not parse: "
                         "syntax error"),
            std::string::npos)
      << message;
}

TEST(ReaderTest, ReadsAFileFromDisk) {
  std::string path = testing::TempDir() + "reader_test_42_add_email.yaml";
  std::string text =
      "operations:\n  - add_column: {table: users, column: {name: email, type: text, nullable: "
      "true}}\n";
  {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }
  Result<plan::Migration> read = ReadMigrationFile(path);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->name, "reader_test_42_add_email");
  EXPECT_EQ(read->file, path);
  EXPECT_EQ(read->content, text);
  std::remove(path.c_str());
}

TEST(ReaderErrorTest, MissingFileIsInvalidInput) {
  Result<plan::Migration> read = ReadMigrationFile("no/such/migration.yaml");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_NE(read.status().message().find("no/such/migration.yaml: cannot open"), std::string::npos);
}

TEST(ReaderErrorTest, FileOverTheSizeLimit) {
  std::string text = "operations: [{sql: {up: SELECT 1}}]\n";
  text += std::string(kMaxMigrationFileBytes - text.size(), '#');
  EXPECT_TRUE(ParseMigration(text, "m.yaml").ok());
  EXPECT_EQ(ErrorOf(text + "#"),
            "m.yaml: the file is larger than 128 KiB, the limit for a migration file; split it "
            "into several migrations");
}

// A chain of binary operators parses into a tree as deep as the chain; the
// longest a file can hold is refused, not a crash.
TEST(ReaderErrorTest, LongestOperatorChainIsRefused) {
  std::string text = "operations:\n  - sql:\n      up: SELECT 1";
  while (text.size() + 3 < kMaxMigrationFileBytes) text += "+1";
  EXPECT_NE(ErrorOf(text + "\n")
                .find("m.yaml:3:11: operations[0].sql.up: SQL does not parse: it "
                      "nests too deeply"),
            std::string::npos);
}

// A device or pipe that never ends is read only up to the limit.
TEST(ReaderErrorTest, EndlessFileStopsAtTheSizeLimit) {
  Result<plan::Migration> read = ReadMigrationFile("/dev/zero");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().kind(), ErrorKind::kInvalidInput);
  EXPECT_EQ(read.status().message(),
            "/dev/zero: the file is larger than 128 KiB, the limit for a migration file; split "
            "it into several migrations");
}

}  // namespace
}  // namespace tandem::reader

namespace tandem::reader {
namespace {

plan::Migration MustParseVerify(const std::string& text) {
  auto parsed = ParseMigration(text, "m.yaml");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? *parsed : plan::Migration{};
}

TEST(ReaderTest, VerifySectionWithThresholdsAndInvariants) {
  plan::Migration m = MustParseVerify(R"--(operations:
  - drop_table: {name: t}
verify:
  parity_threshold: 99.99
  drift_threshold: 0.5
  invariants:
    - {name: balance_not_negative, table: accounts, check: balance >= 0}
)--");
  ASSERT_TRUE(m.settings.parity_threshold.has_value());
  EXPECT_DOUBLE_EQ(*m.settings.parity_threshold, 99.99);
  EXPECT_DOUBLE_EQ(*m.settings.drift_threshold, 0.5);
  ASSERT_EQ(m.settings.invariants.size(), 1u);
  EXPECT_EQ(m.settings.invariants[0].table, "accounts");
  EXPECT_EQ(m.settings.invariants[0].check, "balance >= 0");
}

TEST(ReaderTest, VerifyAsAListIsTheInvariants) {
  plan::Migration m = MustParseVerify(R"--(operations:
  - drop_table: {name: t}
verify:
  - {name: positive, table: accounts, check: balance > 0}
)--");
  ASSERT_EQ(m.settings.invariants.size(), 1u);
  EXPECT_EQ(m.settings.invariants[0].name, "positive");
}

TEST(ReaderTest, VerifyRejectsBadThresholdsAndChecks) {
  auto bad = ParseMigration(
      "operations:\n  - drop_table: {name: t}\nverify:\n  parity_threshold: 120\n", "m.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("verify.parity_threshold: expected a percentage"),
            std::string::npos)
      << bad.status().message();
  auto unparsable = ParseMigration(
      "operations:\n  - drop_table: {name: t}\nverify:\n  - {name: n, table: t, check: 'a >'}\n",
      "m.yaml");
  ASSERT_FALSE(unparsable.ok());
  EXPECT_NE(unparsable.status().message().find("does not parse"), std::string::npos)
      << unparsable.status().message();
}

}  // namespace
}  // namespace tandem::reader
