// `tandem diff` through the CLI on a real server: exact keys and flags for
// each kind of difference, composite and schema-qualified keys, partitions,
// bad usage, an unfinished scan, and two databases with a million rows.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "backends/backend.h"
#include "common/strings.h"
#include "integration/pg_fixture.h"
#include "diff/table_diff.h"

namespace tandem::testing {
namespace {

using nlohmann::json;

// Rows of every type whose text depends on session settings (dates, time
// zones, floats, intervals, bytea, money), so that a comparison across
// databases with other settings has something to get wrong.
constexpr char kItemsSql[] = R"sql(
CREATE TABLE items (
  id bigint PRIMARY KEY,
  region text NOT NULL,
  name text,
  price numeric(12, 2),
  ratio double precision,
  created_at timestamptz,
  due date,
  wait interval,
  payload bytea,
  cost money
);
INSERT INTO items
SELECT g, (ARRAY['eu', 'us', 'apac'])[1 + g % 3],
       CASE WHEN g % 10 = 0 THEN NULL ELSE 'item ' || g END,
       (g % 1000) / 7.0, g / 3.0,
       timestamptz '2024-01-01 00:00+00' + g * interval '1 minute 1.5 seconds',
       date '2024-01-01' + g % 400, g * interval '1 second', decode(md5(g::text), 'hex'),
       (g % 100)::money
FROM generate_series(1, %ROWS%) AS g;
)sql";

std::string ItemsSql(const std::string& table, long long rows) {
  std::string sql = ReplaceAll(kItemsSql, "%ROWS%", std::to_string(rows));
  return ReplaceAll(ReplaceAll(sql, "TABLE items", "TABLE " + table), "INTO items",
                    "INTO " + table);
}

// "kind key=value, ..." for each listed difference.
std::set<std::string> Differences(const json& report) {
  std::set<std::string> out;
  for (const auto& d : report["differences"]) {
    std::vector<std::string> key;
    for (const auto& [column, value] : d["key"].items()) {
      key.push_back(column + "=" + (value.is_null() ? "NULL" : value.get<std::string>()));
    }
    out.insert(d["kind"].get<std::string>() + " " + Join(key, ","));
  }
  return out;
}

class DiffTest : public PgTest {
 protected:
  void TearDown() override {
    if (!second_db_.empty()) AdminExec("DROP DATABASE IF EXISTS " + second_db_ + " WITH (FORCE)");
    PgTest::TearDown();
  }

  void AdminExec(const std::string& sql) {
    auto database = backend::OpenDatabase(ServerUrl());
    ASSERT_TRUE(database.ok());
    auto conn = (*database)->Connect();
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    Status status = (*conn)->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.message();
  }

  // A second, empty database on the same server; returns its URL.
  std::string CreateSecondDatabase() {
    second_db_ = db_name_ + "_b";
    AdminExec("DROP DATABASE IF EXISTS " + second_db_);
    AdminExec("CREATE DATABASE " + second_db_);
    return ServerUrl() + " dbname=" + second_db_;
  }

  void ExecIn(const std::string& url, const std::string& sql) {
    auto database = backend::OpenDatabase(url);
    ASSERT_TRUE(database.ok());
    auto conn = (*database)->Connect();
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    Status status = (*conn)->Execute(sql);
    ASSERT_TRUE(status.ok()) << status.message() << "\nin: " << sql;
  }

  // Runs `tandem --json diff ARGS`; the report, or null when the output is
  // not one JSON object.
  json Diff(const std::vector<std::string>& args) {
    std::vector<std::string> full = {"--json", "diff"};
    full.insert(full.end(), args.begin(), args.end());
    last_ = Tandem(full);
    json report = json::parse(last_.out, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(report.is_discarded()) << last_.out << last_.err;
    return report;
  }

  // Source items, target a copy of it in the same database.
  void CreateItemsAndCopy(long long rows) {
    Exec(ItemsSql("items", rows));
    Exec(
        "CREATE TABLE items_copy (LIKE items INCLUDING ALL); "
        "INSERT INTO items_copy SELECT * FROM items");
  }

  std::vector<std::string> ItemsArgs() {
    return {"--source", "items", "--target", "items_copy", "--key", "id"};
  }

  std::string second_db_;
  CommandResult last_;
};

TEST_F(DiffTest, IdenticalTablesAreClean) {
  CreateItemsAndCopy(5000);
  json report = Diff(ItemsArgs());
  EXPECT_EQ(last_.exit_code, 0) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 0);
  EXPECT_EQ(report["source"]["rows"], 5000);
  EXPECT_EQ(report["target"]["rows"], 5000);
  EXPECT_TRUE(report["differences"].empty());
  EXPECT_EQ(report["source"]["table"], "public.items");
  EXPECT_GT(report["stats"]["bytes_to_client"].get<long long>(), 0);

  CommandResult text =
      Tandem({"diff", "--source", "items", "--target", "items_copy", "--key", "id"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("the tables match"), std::string::npos) << text.out;
}

TEST_F(DiffTest, ChangedRowIsListedWithChecksumFlag) {
  CreateItemsAndCopy(5000);
  Exec("UPDATE items_copy SET name = name || '!' WHERE id = 1234");
  // NULL and the empty string, and one microsecond: their texts differ.
  Exec("UPDATE items_copy SET name = '' WHERE id = 10");
  Exec("UPDATE items_copy SET created_at = created_at + interval '1 microsecond' WHERE id = 4999");
  json report = Diff(ItemsArgs());
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 1);
  EXPECT_EQ(Differences(report),
            (std::set<std::string>{"changed id=10", "changed id=1234", "changed id=4999"}));
  EXPECT_EQ(report["changed"], 3);
}

TEST_F(DiffTest, DeletedRowIsMissingWithCountFlag) {
  CreateItemsAndCopy(5000);
  Exec("DELETE FROM items_copy WHERE id = 2500");
  json report = Diff(ItemsArgs());
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 2);
  EXPECT_EQ(Differences(report), (std::set<std::string>{"missing id=2500"}));
  EXPECT_EQ(report["target"]["rows"], 4999);
}

TEST_F(DiffTest, ExtraRowsAreFoundBeforeBetweenAndAfterTheSourceKeys) {
  CreateItemsAndCopy(5000);
  Exec("DELETE FROM items WHERE id = 3000");
  Exec("INSERT INTO items_copy (id, region) VALUES (-5, 'eu'), (9000, 'us')");
  json report = Diff(ItemsArgs());
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 2);
  EXPECT_EQ(Differences(report),
            (std::set<std::string>{"extra id=-5", "extra id=3000", "extra id=9000"}));
}

TEST_F(DiffTest, SmallChunksBisectDownToTheExactKeys) {
  CreateItemsAndCopy(20000);
  Exec("UPDATE items_copy SET ratio = ratio + 1e-12 WHERE id IN (7, 19999)");
  Exec("DELETE FROM items_copy WHERE id IN (8, 12345)");
  Exec("INSERT INTO items_copy (id, region) VALUES (20001, 'eu')");
  json report =
      Diff({"--source", "items", "--target", "items_copy", "--key", "id", "--chunk-rows", "3000"});
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 3);
  EXPECT_EQ(Differences(report),
            (std::set<std::string>{"changed id=7", "missing id=8", "missing id=12345",
                                   "changed id=19999", "extra id=20001"}));
  EXPECT_EQ(report["stats"]["chunks"], 7);
}

TEST_F(DiffTest, RowInTheWrongPartitionIsFoundByKey) {
  CreateItemsAndCopy(6000);
  Exec("UPDATE items_copy SET region = 'us' WHERE id = 42");  // 42 % 3 = 0: eu
  json report = Diff(
      {"--source", "items", "--target", "items_copy", "--key", "id", "--partition-by", "region"});
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 3);  // partitions' counts, and the row's content
  EXPECT_EQ(Differences(report), (std::set<std::string>{"changed id=42"}));
  EXPECT_EQ(report["differences"][0]["source_partition"], "eu");
  EXPECT_EQ(report["differences"][0]["target_partition"], "us");
  EXPECT_EQ(report["partitions"]["compared"], 3);
  std::set<std::string> partitions;
  for (const auto& p : report["partitions"]["differing"]) {
    partitions.insert(p["partition"].get<std::string>() + " " +
                      std::to_string(p["source_rows"].get<long long>()) + " " +
                      std::to_string(p["target_rows"].get<long long>()));
  }
  EXPECT_EQ(partitions, (std::set<std::string>{"eu 2000 1999", "us 2000 2001"}));
}

TEST_F(DiffTest, PartitionOutsideTheComparedColumnsStillFindsTheRow) {
  CreateItemsAndCopy(3000);
  Exec("UPDATE items_copy SET region = 'apac' WHERE id = 300");
  json report = Diff({"--source", "items", "--target", "items_copy", "--key", "id", "--columns",
                      "name", "--partition-by", "upper(region)"});
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 3);
  EXPECT_EQ(Differences(report), (std::set<std::string>{"changed id=300"}));
  EXPECT_EQ(report["columns"], json::array({"id", "name"}));
}

TEST_F(DiffTest, CompositeKey) {
  Exec(R"sql(
    CREATE TABLE events (tenant text, seq int, body text, PRIMARY KEY (tenant, seq));
    INSERT INTO events SELECT 't' || (g % 7), g, 'body ' || g FROM generate_series(1, 7000) g;
    CREATE TABLE events_copy (LIKE events INCLUDING ALL);
    INSERT INTO events_copy SELECT * FROM events;
    UPDATE events_copy SET body = 'changed' WHERE tenant = 't2' AND seq = 3012;
    DELETE FROM events_copy WHERE tenant = 't0' AND seq = 7;
    INSERT INTO events_copy VALUES ('t0', 8, 'extra'), ('t9', 1, 'extra');
  )sql");
  json report = Diff({"--source", "events", "--target", "events_copy", "--key", "tenant, seq",
                      "--chunk-rows", "1000"});
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 3);
  EXPECT_EQ(Differences(report),
            (std::set<std::string>{"changed seq=3012,tenant=t2", "missing seq=7,tenant=t0",
                                   "extra seq=8,tenant=t0", "extra seq=1,tenant=t9"}));
  EXPECT_EQ(report["key"], json::array({"tenant", "seq"}));
}

// The library without the CLI, and without the second source session that
// walks chunk boundaries ahead: the same keys, one step after the other.
TEST_F(DiffTest, LibraryWithoutABoundaryWalkerFindsTheSameKeys) {
  CreateItemsAndCopy(20000);
  Exec("DELETE FROM items_copy WHERE id IN (1, 15000)");
  Exec("UPDATE items_copy SET wait = wait + interval '1 second' WHERE id = 9999");
  auto source = Connect();
  auto target = Connect();
  ASSERT_NE(source, nullptr);
  ASSERT_NE(target, nullptr);
  verify::DiffOptions options;
  options.source_table = "items";
  options.target_table = "items_copy";
  options.key = {"id"};
  options.chunk_rows = 4000;
  Result<verify::DiffReport> report = verify::DiffTables(*source, *target, options);
  ASSERT_TRUE(report.ok()) << report.status().message();
  EXPECT_EQ(report->Flags(), verify::kParityMismatch | verify::kCountMismatch);
  std::set<std::string> found;
  for (const auto& row : report->rows) {
    found.insert(std::string(row.kind == verify::RowDiffKind::kChanged ? "changed " : "missing ") +
                 row.key.at(0).value_or("NULL"));
  }
  EXPECT_EQ(found, (std::set<std::string>{"missing 1", "changed 9999", "missing 15000"}));
  EXPECT_EQ(report->stats.chunks, 6);
}

// ICU orders "a" before "B", the C collation after: ranges cut on one side
// must be read in the same order on the other.
TEST_F(DiffTest, TextKeysWithOtherCollationsOnEachSide) {
  Exec(R"sql(
    CREATE TABLE words (w text COLLATE "und-x-icu" PRIMARY KEY, n int);
    INSERT INTO words SELECT (ARRAY['a', 'B', 'c', 'D'])[1 + g % 4] || g, g
      FROM generate_series(1, 2000) g;
    CREATE TABLE words_c (w text COLLATE "C" PRIMARY KEY, n int);
    INSERT INTO words_c SELECT * FROM words;
    UPDATE words_c SET n = -1 WHERE w = 'B1001';
  )sql");
  json report =
      Diff({"--source", "words", "--target", "words_c", "--key", "w", "--chunk-rows", "100"});
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(Differences(report), (std::set<std::string>{"changed w=B1001"}));
}

TEST_F(DiffTest, SchemaQualifiedAndQuotedNames) {
  Exec(R"sql(
    CREATE SCHEMA app; CREATE SCHEMA "Archive";
    CREATE TABLE app.orders (id int PRIMARY KEY, total numeric);
    INSERT INTO app.orders SELECT g, g * 1.5 FROM generate_series(1, 1000) g;
    CREATE TABLE "Archive"."Orders" (total numeric, id int PRIMARY KEY);  -- other column order
    INSERT INTO "Archive"."Orders" (id, total) SELECT id, total FROM app.orders WHERE id <> 500;
  )sql");
  json report =
      Diff({"--source", "app.orders", "--target", "\"Archive\".\"Orders\"", "--key", "id"});
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(report["source"]["table"], "app.orders");
  EXPECT_EQ(report["target"]["table"], "Archive.Orders");
  EXPECT_EQ(Differences(report), (std::set<std::string>{"missing id=500"}));

  // Unqualified names are looked up in --schema.
  Diff({"--schema", "app", "--source", "orders", "--target", "app.orders", "--key", "id"});
  EXPECT_EQ(last_.exit_code, 0) << last_.out << last_.err;
}

TEST_F(DiffTest, BadUsageExitsTwoWithAClearMessage) {
  CreateItemsAndCopy(10);
  Exec("CREATE TABLE no_key (id int, v text)");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const Case cases[] = {
      {{"--source", "nope", "--target", "items_copy", "--key", "id"},
       "source table \"public.nope\" does not exist"},
      {{"--source", "items", "--target", "other.items", "--key", "id"},
       "target table \"other.items\" does not exist"},
      {{"--source", "items", "--target", "items_copy", "--key", "nope"},
       "--key column \"nope\" does not exist in source table public.items"},
      {{"--source", "items", "--target", "items_copy", "--key", "ID"}, "did you mean \"id\"?"},
      {{"--source", "items", "--target", "items_copy", "--key", "id", "--columns", "name,nope"},
       "--columns column \"nope\" does not exist in source table public.items"},
      {{"--source", "items", "--target", "items_copy", "--key", "region"},
       "--key (\"region\") is not unique in source table public.items"},
      {{"--source", "no_key", "--target", "no_key", "--key", "id"}, "allows NULL"},
      {{"--source", "items", "--target", "no_key", "--key", "id"},
       "column \"region\" of source table public.items does not exist in target table "
       "public.no_key; name the columns to compare with --columns"},
      {{"--source", "items", "--target", "items_copy", "--key", "id", "--partition-by", "nope + 1"},
       "--partition-by \"nope + 1\" on source table public.items: column \"nope\" does not exist"},
      {{"--source", "a.b.c", "--target", "items_copy", "--key", "id"},
       "expected TABLE or SCHEMA.TABLE"},
      {{"--source", "items", "--target", "items_copy"}, "--key is required"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"diff"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    CommandResult result = Tandem(args);
    EXPECT_EQ(result.exit_code, 2) << Join(c.args, " ") << ": " << result.out << result.err;
    EXPECT_NE(result.err.find(c.message), std::string::npos)
        << Join(c.args, " ") << " said: " << result.err << "\nexpected: " << c.message;
  }
}

TEST_F(DiffTest, ListingStopsAtMaxRowsAndSaysSo) {
  CreateItemsAndCopy(20000);
  Exec("UPDATE items_copy SET name = 'x' WHERE id % 500 = 1");  // 40 rows
  json report = Diff({"--source", "items", "--target", "items_copy", "--key", "id", "--chunk-rows",
                      "5000", "--max-rows", "5"});
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 1);
  EXPECT_EQ(report["differences"].size(), 5u);
  EXPECT_TRUE(report["truncated"].get<bool>());
  EXPECT_FALSE(report["unlisted_ranges"].empty());
}

TEST_F(DiffTest, ScanThatCannotFinishExitsThreeWithFlag16) {
  CreateItemsAndCopy(100000);
  json report = Diff(
      {"--source", "items", "--target", "items_copy", "--key", "id", "--chunk-timeout", "1ms"});
  EXPECT_EQ(last_.exit_code, 3) << last_.out << last_.err;
  EXPECT_EQ(report["flags"].get<int>() & 16, 16);
  EXPECT_FALSE(report["complete"].get<bool>());
  EXPECT_NE(report["incomplete_reason"].get<std::string>().find("--chunk-timeout"),
            std::string::npos);
}

// Each chunk is its own short statement: DDL that needs ACCESS EXCLUSIVE
// waits for one chunk at most, never for the whole scan.
TEST_F(DiffTest, ScanHoldsNoLockBetweenChunks) {
  CreateItemsAndCopy(1000000);
  CommandResult result;
  std::thread diff([&] {
    result = Tandem({"diff", "--source", "items", "--target", "items_copy", "--key", "id",
                     "--chunk-rows", "20000"});
  });
  bool scanning = false;
  for (int i = 0; i < 200 && !scanning; ++i) {
    scanning = Scalar(
                   "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                   "'tandem diff' AND state = 'active' AND query LIKE '%hashtextextended%'") != "0";
    if (!scanning) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(scanning) << "the diff never showed up scanning";
  Exec("SET lock_timeout = '2s'; ALTER TABLE items ADD COLUMN note text");
  Exec("SET lock_timeout = '2s'; ALTER TABLE items_copy ADD COLUMN note text");
  diff.join();
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
}

// The second database's sessions print dates, times and floats differently
// by default; the pinned settings make the row text equal anyway.
TEST_F(DiffTest, OtherSessionDefaultsDoNotMatter) {
  std::string second = CreateSecondDatabase();
  Exec(ItemsSql("items", 2000));
  ExecIn(second, "ALTER DATABASE " + second_db_ + " SET DateStyle = 'SQL, DMY'; ALTER DATABASE " +
                     second_db_ + " SET TimeZone = 'America/New_York'; ALTER DATABASE " +
                     second_db_ + " SET extra_float_digits = -3; ALTER DATABASE " + second_db_ +
                     " SET IntervalStyle = 'iso_8601'; ALTER DATABASE " + second_db_ +
                     " SET bytea_output = 'escape'");
  ExecIn(second, ItemsSql("items", 2000));
  json report =
      Diff({"--source", "items", "--target", "items", "--target-url", second, "--key", "id"});
  EXPECT_EQ(last_.exit_code, 0) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 0);
}

TEST_F(DiffTest, MillionRowsAcrossTwoDatabasesFindsExactlyThePlantedDifferences) {
  std::string second = CreateSecondDatabase();
  Exec(ItemsSql("items", 1000000));
  ExecIn(second, ItemsSql("items", 1000000));
  ExecIn(second, R"sql(
    UPDATE items SET name = 'renamed' WHERE id = 17;
    UPDATE items SET price = price + 0.01 WHERE id = 250000;
    UPDATE items SET ratio = ratio * (1 + 1e-15) WHERE id = 500001;
    UPDATE items SET name = NULL WHERE id = 999999;
    UPDATE items SET payload = NULL WHERE id = 333333;
    DELETE FROM items WHERE id IN (1, 123456, 1000000);
    INSERT INTO items (id, region) VALUES (0, 'eu'), (1000001, 'us'), (2000000, 'apac');
  )sql");
  json report = Diff({"--source", "items", "--target", "items", "--target-url", second, "--key",
                      "id", "--partition-by", "region"});
  EXPECT_EQ(last_.exit_code, 1) << last_.out << last_.err;
  EXPECT_EQ(report["flags"], 3);
  EXPECT_EQ(Differences(report),
            (std::set<std::string>{"changed id=17", "changed id=250000", "changed id=500001",
                                   "changed id=999999", "changed id=333333", "missing id=1",
                                   "missing id=123456", "missing id=1000000", "extra id=0",
                                   "extra id=1000001", "extra id=2000000"}));
  EXPECT_EQ(report["source"]["rows"], 1000000);
  EXPECT_EQ(report["target"]["rows"], 1000000);
  EXPECT_LT(report["stats"]["bytes_to_client"].get<long long>(), 1 << 20);
}

}  // namespace
}  // namespace tandem::testing
