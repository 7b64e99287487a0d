#include "support/split_name_scenario.h"

#include <gtest/gtest.h>

namespace tandem::testing::split_name {

const char kPostgresCustomers[] = R"sql(
CREATE TABLE customers (id bigserial PRIMARY KEY, full_name text, email text NOT NULL,
  balance text, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO customers (full_name, email, balance)
  SELECT 'Ann' || i || ' Lee' || i, 'c' || i || '@example.com',
         CASE WHEN i % 7 = 0 THEN NULL ELSE i || '.25' END
  FROM generate_series(1, 200) i;
)sql";

const char kSqliteCustomers[] = R"sql(
CREATE TABLE customers (id INTEGER PRIMARY KEY, full_name TEXT, email TEXT NOT NULL,
  balance TEXT, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < 200)
INSERT INTO customers (full_name, email, balance)
  SELECT 'Ann' || i || ' Lee' || i, 'c' || i || '@example.com',
         CASE WHEN i % 7 = 0 THEN NULL ELSE i || '.25' END
  FROM g;
)sql";

namespace {

constexpr char kExpectedBalance[] = "CASE WHEN id % 7 = 0 THEN 0 ELSE id + 0.25 END";

std::vector<std::string> NewVersionWrites(const std::string& table) {
  return {
      "UPDATE " + table + " SET first_name = first_name, last_name = 'New' || id WHERE id % 20 = 0",
      "UPDATE " + table +
          " SET email = 'moved' || id || '@example.com', balance = 99 WHERE id % 20 = 10",
      "DELETE FROM " + table + " WHERE id % 10 = 5",
  };
}

void ExpectOldVersionSeesTheWrites(const Engine& engine) {
  EXPECT_EQ(engine.scalar("SELECT count(*) FROM customers WHERE id % 20 = 0 AND full_name = "
                          "'Ann' || id || ' New' || id"),
            "10");
  EXPECT_EQ(engine.scalar("SELECT count(*) FROM customers WHERE id % 20 = 10 AND full_name = "
                          "'Ann' || id || ' Lee' || id AND balance = " +
                          engine.balance_99),
            "10");
}

void BackfillVerifyComplete(const Engine& engine) {
  CommandResult backfill = engine.tandem({"backfill"});
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  CommandResult verify = engine.tandem({"verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  CommandResult complete = engine.tandem({"complete"});
  ASSERT_EQ(complete.exit_code, 0) << complete.err;
}

void ExpectFinalRows(const Engine& engine) {
  EXPECT_EQ(engine.scalar("SELECT count(*) FROM customers"), "180");
  EXPECT_EQ(engine.scalar("SELECT count(*) FROM customers WHERE id % 10 = 5"), "0");
  EXPECT_EQ(engine.scalar(std::string("SELECT count(*) FROM customers WHERE id % 20 = 0 AND "
                                      "first_name = 'Ann' || id AND last_name = 'New' || id AND "
                                      "balance = ") +
                          kExpectedBalance),
            "10");
  EXPECT_EQ(engine.scalar("SELECT count(*) FROM customers WHERE id % 20 = 10 AND first_name = "
                          "'Ann' || id AND last_name = 'Lee' || id AND balance = 99 AND email = "
                          "'moved' || id || '@example.com'"),
            "10");
  EXPECT_EQ(engine.scalar(std::string("SELECT count(*) FROM customers WHERE id % 10 NOT IN (0, 5) "
                                      "AND first_name = 'Ann' || id AND last_name = 'Lee' || id "
                                      "AND email = 'c' || id || '@example.com' AND balance = ") +
                          kExpectedBalance),
            "160");
}

}  // namespace

std::string MigrationPath() {
  return std::string(TANDEM_SOURCE_DIR) + "/examples/02_customers_split_name.yaml";
}

void Run(const Engine& engine) {
  CommandResult start = engine.tandem({"start", "--skip-backfill", MigrationPath()});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  for (const auto& sql : NewVersionWrites(engine.table)) {
    Status written = engine.new_version(sql);
    EXPECT_TRUE(written.ok()) << written.message() << "\nin: " << sql;
  }
  ExpectOldVersionSeesTheWrites(engine);
  BackfillVerifyComplete(engine);
  if (::testing::Test::HasFatalFailure()) return;
  ExpectFinalRows(engine);
}

}  // namespace tandem::testing::split_name
