// `tandem latest` on PostgreSQL: the URL it prints opens a session whose
// search_path is the new version, and the live URL one on the live schema.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "integration/items_table.h"

namespace tandem::testing {
namespace {

class LatestTest : public ItemsMigrationTest {
 protected:
  // SHOW search_path in a session opened with `url`.
  std::string SearchPathOf(const std::string& url) {
    auto database = backend::OpenDatabase(url);
    if (!database.ok()) return database.status().message();
    auto conn = (*database)->Connect();
    if (!conn.ok()) return conn.status().message();
    auto shown = (*conn)->Query("SHOW search_path");
    if (!shown.ok()) return shown.status().message();
    auto value = shown->Scalar();
    return value ? *value : "NULL";
  }
};

TEST_F(LatestTest, PrintsUrlsThatOpenTheNewAndTheLiveVersion) {
  auto latest = Tandem({"--json", "latest"});
  ASSERT_EQ(latest.exit_code, 0) << latest.out << latest.err;
  auto line = nlohmann::json::parse(latest.out);
  EXPECT_EQ(line["engine"], "postgres");
  EXPECT_EQ(line["migration"], "02_code");
  EXPECT_EQ(line["version_schema"], "public_02_code");
  EXPECT_EQ(line["search_path"], "public_02_code");
  EXPECT_EQ(SearchPathOf(line["url"]), "public_02_code") << line.dump();
  EXPECT_EQ(line["live_schema"], "public_live");
  EXPECT_EQ(SearchPathOf(line["live_url"]), "public_live,public") << line.dump();
}

// The harness trusts local connections, so a password in the URL is
// accepted and ignored: the URL printed must leave it out and still work.
TEST_F(LatestTest, NeverPrintsThePassword) {
  ASSERT_EQ(url_.find("://"), std::string::npos) << "the harness gives a key=value string";
  auto latest = Tandem({"--json", "--url", url_ + " password=s3cret", "latest"});
  ASSERT_EQ(latest.exit_code, 0) << latest.out << latest.err;
  EXPECT_EQ(latest.out.find("s3cret"), std::string::npos) << latest.out;
  auto line = nlohmann::json::parse(latest.out);
  EXPECT_EQ(SearchPathOf(line["url"]), "public_02_code") << line.dump();
}

}  // namespace
}  // namespace tandem::testing
