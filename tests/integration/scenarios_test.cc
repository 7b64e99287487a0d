// Every scenario file (tests/scenarios/*.test) on a real PostgreSQL server,
// each in a fresh database. The new version is a session whose search_path
// is the version schema, as an application of that version would set it.
#include <gtest/gtest.h>

#include "common/strings.h"
#include "integration/pg_fixture.h"
#include "support/scenario_test.h"

namespace tandem::testing {
namespace {

constexpr char kEngine[] = "postgres";
constexpr char kMigratedSchema[] = "public";
constexpr char kStateSchema[] = "tandem";

class PgScenarioTest : public scenario::ScenarioTest<PgTest> {
 public:
  std::string EngineName() const override { return kEngine; }
  Result<std::unique_ptr<backend::Connection>> OpenSession() override {
    auto database = backend::OpenDatabase(url_);
    if (!database.ok()) return database.status();
    return (*database)->Connect();
  }
  std::string UseVersion(const std::string& version) const override {
    return "SET search_path TO " + QuoteIdent(VersionSchema(version));
  }
  std::string TableName(const std::string& table, const std::string& version) const override {
    return QualifiedName(version.empty() ? kMigratedSchema : VersionSchema(version), table);
  }
  std::string StateTable(const std::string& name) const override {
    return QualifiedName(kStateSchema, name);
  }
  std::string Snapshot() override { return SchemaDump(url_) + TableRows(); }

 private:
  static std::string VersionSchema(const std::string& version) {
    return std::string(kMigratedSchema) + "_" + version;
  }
  // Every row of the migrated schema's tables, table by table.
  std::string TableRows() {
    std::string rows;
    auto conn = Connect();
    auto tables = conn->Query("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1",
                              {kMigratedSchema});
    EXPECT_TRUE(tables.ok()) << tables.status().message();
    if (!tables.ok()) return rows;
    for (const auto& table : tables->rows) {
      std::string table_name = QualifiedName(kMigratedSchema, *table[0]);
      auto text =
          conn->Query("SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM " +
                      table_name + " t");
      EXPECT_TRUE(text.ok()) << text.status().message();
      if (text.ok()) rows += "table " + *table[0] + ":\n" + text->Scalar().value_or("") + "\n";
    }
    return rows;
  }
};

TANDEM_SCENARIO_TESTS(PgScenarioTest, kEngine);

}  // namespace
}  // namespace tandem::testing
