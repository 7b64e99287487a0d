// Every scenario file (tests/scenarios/*.test) on a fresh SQLite database
// file. The new version is the `<table>__<version>` views, so {new:table}
// names them; the old version is the tables themselves.
#include <gtest/gtest.h>

#include "backends/sqlite/sqlite_connection.h"
#include "common/strings.h"
#include "sqlite/sqlite_fixture.h"
#include "support/scenario_test.h"

namespace tandem::testing {
namespace {

constexpr char kEngine[] = "sqlite";

class SqliteScenarioTest : public scenario::ScenarioTest<SqliteTest> {
 public:
  std::string EngineName() const override { return kEngine; }
  Result<std::unique_ptr<backend::Connection>> OpenSession() override {
    auto conn = backend::sqlite::SqliteConnection::Open(path_, backend::sqlite::OpenOptions());
    if (!conn.ok()) return conn.status();
    return std::unique_ptr<backend::Connection>(std::move(*conn));
  }
  std::string UseVersion(const std::string& version) const override { return ""; }
  std::string TableName(const std::string& table, const std::string& version) const override {
    return QuoteIdent(version.empty() ? table : table + "__" + version);
  }
  std::string StateTable(const std::string& name) const override {
    return QuoteIdent("tandem_" + name);
  }
  std::string Snapshot() override {
    std::string text = Schema();
    auto tables = conn_->Query(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'tandem\\_%' "
        "ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
    EXPECT_TRUE(tables.ok()) << tables.status().message();
    if (!tables.ok()) return text;
    for (const auto& table : tables->rows) text += "table " + *table[0] + ":\n" + Rows(*table[0]);
    return text;
  }
};

TANDEM_SCENARIO_TESTS(SqliteScenarioTest, kEngine);

}  // namespace
}  // namespace tandem::testing
