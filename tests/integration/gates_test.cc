// The readiness gates on a real PostgreSQL through the real binary (the
// checks shared with SQLite, support/gates_cli.h).
#include <gtest/gtest.h>

#include "common/strings.h"
#include "integration/pg_fixture.h"
#include "support/gates_cli.h"

namespace tandem::testing {
namespace {

constexpr char kUsers[] =
    "CREATE TABLE users (id serial PRIMARY KEY, name text);"
    "INSERT INTO users (name) SELECT CASE WHEN i % 3 = 0 THEN NULL ELSE 'user ' || i END "
    "FROM generate_series(1, 500) i";

class GatesTest : public PgTest {
 protected:
  void SetUpDatabase() override { Exec(kUsers); }
};

TEST_F(GatesTest, SwitchGateNeedsSignoff) { ExpectSwitchGateNeedsSignoff(url_); }

TEST_F(GatesTest, ContractGateNeedsCleanObservation) {
  ExpectContractGateNeedsCleanObservation(
      url_, [this](const std::string& sql) { Exec(sql); }, "tandem.events");
}

TEST_F(GatesTest, MaxRuntimeStopsResumably) {
  ExpectMaxRuntimeStopsResumably(
      url_, [this](const std::string& sql) { return Scalar(sql); }, "tandem.events",
      /*chunked_complete=*/false);
}

TEST_F(GatesTest, SignoffStaleAfterFileChange) { ExpectSignoffStaleAfterFileChange(url_); }
TEST_F(GatesTest, RehearsalBoundToThePlan) { ExpectRehearsalBoundToThePlan(url_); }
TEST_F(GatesTest, RollbackIgnoresTheTimeLimit) { ExpectRollbackIgnoresTheTimeLimit(url_); }

TEST_F(GatesTest, ApprovalBoundToFileAndDatabase) {
  // A second database of the same server, with the same table.
  std::string other = db_name_ + "_b";
  Exec("DROP DATABASE IF EXISTS " + QuoteIdent(other));
  Exec("CREATE DATABASE " + QuoteIdent(other));
  std::string other_url = ServerUrl() + " dbname=" + other;
  auto database = backend::OpenDatabase(other_url);
  ASSERT_TRUE(database.ok()) << database.status().message();
  auto conn = (*database)->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  Status created = (*conn)->Execute(kUsers);
  ASSERT_TRUE(created.ok()) << created.message();
  conn->reset();
  ExpectApprovalBoundToFileAndDatabase(url_, other_url);
  Exec("DROP DATABASE IF EXISTS " + QuoteIdent(other) + " WITH (FORCE)");
}

TEST_F(GatesTest, RunRequireApproval) { ExpectRunRequireApproval(url_); }

TEST_F(GatesTest, StartSignoffPolicy) { ExpectStartSignoffPolicy(url_); }

TEST_F(GatesTest, FreezeRefusesComplete) { ExpectFreezeRefusesComplete(url_); }

TEST_F(GatesTest, CompatibilityProbesGateTheBackfill) {
  ExpectCompatibilityProbesGateTheBackfill(url_);
}

TEST_F(GatesTest, RunbookAndReport) {
  ExpectRunbookAndReport(
      url_, [this](const std::string& sql) { Exec(sql); }, "tandem.events", 500);
}

}  // namespace
}  // namespace tandem::testing
