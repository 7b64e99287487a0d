// Rows read with their types on one connection and written on another: the
// SQLite backfill computes `up` on reader connections and stores the values
// on its writer (src/backfill/sqlite/up_prefetch.h).
#include <gtest/gtest.h>

#include <variant>

#include "backends/sqlite/sqlite_connection.h"
#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

using backend::Blob;
using backend::TypedRow;

class SqliteTypedRowsTest : public SqliteTest {};

TEST_F(SqliteTypedRowsTest, ValuesKeepTheirStorageClass) {
  auto rows = conn_->QueryTyped(
      "SELECT 42, 0.1 + 0.2, 'text', X'00FF10', NULL UNION ALL SELECT $1, $2, '', X'', 7",
      {std::string("-9"), std::nullopt});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  const TypedRow& first = rows->at(0);
  EXPECT_EQ(std::get<long long>(first[0]), 42);
  EXPECT_EQ(std::get<double>(first[1]), 0.1 + 0.2);
  EXPECT_EQ(std::get<std::string>(first[2]), "text");
  EXPECT_EQ(std::get<Blob>(first[3]).bytes, std::string("\0\xff\x10", 3));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(first[4]));
  // Parameters bind as text, as in Query.
  EXPECT_EQ(std::get<std::string>(rows->at(1)[0]), "-9");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(rows->at(1)[1]));
  EXPECT_EQ(std::get<Blob>(rows->at(1)[3]).bytes, "");
}

TEST_F(SqliteTypedRowsTest, ExecuteForEachRowBindsEveryRowAndCountsChanges) {
  Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v)");  // no affinity: values stay as bound
  std::vector<TypedRow> rows = {{1LL, 0.1 + 0.2},
                                {2LL, std::string("two")},
                                {3LL, Blob{"\x01\x02"}},
                                {4LL, std::monostate{}},
                                {5LL, 5LL}};
  auto inserted = conn_->ExecuteForEachRow("INSERT INTO t VALUES ($1, $2)", rows, 1, 3);
  ASSERT_TRUE(inserted.ok()) << inserted.status().message();
  EXPECT_EQ(*inserted, 3);
  EXPECT_EQ(Scalar("SELECT group_concat(id || ':' || typeof(v), ' ') FROM t"),
            "2:text 3:blob 4:null");
  // The same statement again, over the rest; a second statement replaces it.
  ASSERT_TRUE(conn_->ExecuteForEachRow("INSERT INTO t VALUES ($1, $2)", rows, 4, 5).ok());
  ASSERT_TRUE(conn_->ExecuteForEachRow("INSERT INTO t VALUES ($1, $2)", rows, 0, 1).ok());
  EXPECT_EQ(Scalar("SELECT count(*) FROM t WHERE id = 1 AND v = 0.1 + 0.2"), "1");
  EXPECT_EQ(Scalar("SELECT typeof(v) FROM t WHERE id = 5"), "integer");
  auto updated = conn_->ExecuteForEachRow("UPDATE t SET v = $2 WHERE id = $1 AND v IS NOT NULL",
                                          rows, 0, rows.size());
  ASSERT_TRUE(updated.ok()) << updated.status().message();
  EXPECT_EQ(*updated, 4) << "row 4 (v NULL) is not changed";
  // An error names itself and leaves the connection usable.
  auto duplicate = conn_->ExecuteForEachRow("INSERT INTO t VALUES ($1, $2)", rows, 0, 1);
  ASSERT_FALSE(duplicate.ok());
  EXPECT_NE(duplicate.status().message().find("UNIQUE"), std::string::npos)
      << duplicate.status().message();
  EXPECT_EQ(Scalar("SELECT count(*) FROM t"), "5");
}

}  // namespace
}  // namespace tandem::testing
