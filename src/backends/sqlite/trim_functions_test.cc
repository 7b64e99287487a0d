#include "backends/sqlite/trim_functions.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

namespace tandem::backend::sqlite {
namespace {

// One in-memory database with SQLite's own trim functions, one with
// tandem's: every expression must give the same type and bytes on both.
class TrimFunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(sqlite3_open(":memory:", &builtin_), SQLITE_OK);
    ASSERT_EQ(sqlite3_open(":memory:", &tandem_), SQLITE_OK);
    ASSERT_EQ(RegisterTrimFunctions(tandem_), SQLITE_OK);
  }
  void TearDown() override {
    sqlite3_close(builtin_);
    sqlite3_close(tandem_);
  }

  // The result's type and bytes ("NULL" for NULL), one per row of `sql`.
  static std::vector<std::string> Run(sqlite3* db, const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      int type = sqlite3_column_type(stmt, 0);
      if (type == SQLITE_NULL) {
        out.push_back("NULL");
        continue;
      }
      const void* bytes = sqlite3_column_blob(stmt, 0);
      int n = sqlite3_column_bytes(stmt, 0);
      out.push_back(std::to_string(type) + ":" +
                    std::string(static_cast<const char*>(bytes ? bytes : ""), n));
    }
    sqlite3_finalize(stmt);
    return out;
  }

  void ExpectSame(const std::string& sql) {
    auto expected = Run(builtin_, sql);
    ASSERT_FALSE(expected.empty()) << sql;
    EXPECT_EQ(Run(tandem_, sql), expected) << sql;
  }

  sqlite3* builtin_ = nullptr;
  sqlite3* tandem_ = nullptr;
};

// The inputs: NULL, numbers, blobs (one with a NUL byte), empty text,
// multi-byte characters and stray continuation bytes, and the demo's names.
constexpr const char* kInputs =
    "WITH v(x) AS (VALUES (NULL), (12), (-3.5), (''), ('   '), ('  a b  '), ('xxaxx'), "
    "('Ada12 Lovelace7'), ('Prince70'), ('-Ada- Byron-'), ('ééaéé'), ('€a€'), "
    "(x'80c3a9c3a961'), (x'61006162'), (x'c3'), ('日本語 テキスト'), ('abcabc')) ";

TEST_F(TrimFunctionsTest, OneArgumentTrimsSpacesAsSqlite) {
  for (const char* f : {"trim", "ltrim", "rtrim"}) {
    ExpectSame(std::string(kInputs) + "SELECT " + f + "(x) FROM v");
  }
}

TEST_F(TrimFunctionsTest, SetsOfOneByteCharactersTrimAsSqlite) {
  for (const char* f : {"trim", "ltrim", "rtrim"}) {
    for (const char* set :
         {"'x'", "'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-'", "''", "' -'",
          "NULL", "12", "x'80'", "x'6100'"}) {
      ExpectSame(std::string(kInputs) + "SELECT " + f + "(x, " + set + ") FROM v");
    }
  }
}

TEST_F(TrimFunctionsTest, SetsWithMultiByteCharactersTrimAsSqlite) {
  for (const char* f : {"trim", "ltrim", "rtrim"}) {
    for (const char* set : {"'é'", "'€é a'", "'日本'", "x'c3a980'", "x'c3'", "'aé'"}) {
      ExpectSame(std::string(kInputs) + "SELECT " + f + "(x, " + set + ") FROM v");
    }
  }
}

TEST_F(TrimFunctionsTest, ASetThatChangesFromRowToRowIsReadForEachRow) {
  ExpectSame(
      "WITH v(x, s) AS (VALUES ('aabba', 'a'), ('aabba', 'ab'), ('éaé', 'é'), ('xyz', NULL)) "
      "SELECT ltrim(x, s) || '|' || rtrim(x, s) FROM v");
}

TEST_F(TrimFunctionsTest, TheDemosSplitOfNamesMatchesSqlite) {
  ExpectSame(
      "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 2000), "
      "v(x) AS (SELECT CASE WHEN i % 10 = 0 THEN NULL WHEN i % 7 = 0 THEN 'Prince' || i "
      "ELSE 'Ada' || i || ' Lovelace' || (i % 97) END FROM g) "
      "SELECT coalesce(nullif(trim(substr(x, 1, length(x) - length(ltrim(x, "
      "'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-')))), ''), 'unknown') "
      "|| '|' || coalesce(nullif(trim(ltrim(x, "
      "'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-')), ''), 'NULL') FROM v");
}

}  // namespace
}  // namespace tandem::backend::sqlite
