// The control API's throttle and sign-off on a real server: a running
// backfill held at a low rate cap speeds up once POST /api/v1/throttle
// raises it (through the event log, as `tandem pause` goes through the
// state store), and POST /api/v1/signoff records what `tandem signoff`
// does; bad bodies get 400 with a JSON error naming the key, and both need
// the token.
#include <chrono>
#include <nlohmann/json.hpp>

#include "integration/items_table.h"
#include "integration/pg_fixture.h"
#include "support/served_metrics.h"
#include "support/wait.h"

namespace tandem::testing {
namespace {

using Headers = std::map<std::string, std::string>;
using Clock = std::chrono::steady_clock;

Headers Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

class ControlApiChangesTest : public ItemsMigrationTest {};

TEST_F(ControlApiChangesTest, ARaisedRateCapSpeedsUpTheRunningBackfill) {
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  std::string token = served.token();

  // At 1,000 rows/s the 60,000 rows would take a minute.
  int backfill =
      SpawnTandem(url_, {"backfill", "--batch-size", "500", "--max-rows-per-second", "1000"});
  ASSERT_TRUE(WaitForRunnerLock());

  EXPECT_EQ(served.Send("POST", "/api/v1/throttle", {}, R"({"max_rows_per_second": 1})").status,
            401);
  for (const char* bad : {R"({"max_rows_per_second": -5})", R"({"max_replica_lag": "5"})",
                          R"({"rows": 5})", "{}", "fast"}) {
    HttpAnswer refused = served.Send("POST", "/api/v1/throttle", Bearer(token), bad);
    EXPECT_EQ(refused.status, 400) << bad << ": " << refused.body;
    nlohmann::json error = nlohmann::json::parse(refused.body, nullptr, false);
    EXPECT_EQ(error["exit_code"], 2) << refused.body;
  }
  EXPECT_EQ(served.Send("GET", "/api/v1/throttle", {}).status, 405);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.events WHERE kind = 'throttle_change'"), "0");

  HttpAnswer raised = served.Send("POST", "/api/v1/throttle", Bearer(token),
                                  R"({"max_rows_per_second": 0, "max_replica_lag": "30s"})");
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(nlohmann::json::parse(raised.body)["done"], "throttle changed");
  Clock::time_point changed = Clock::now();
  int exit_code = -2;
  EXPECT_TRUE(WaitUntil(
      [&] {
        exit_code = WaitTandem(backfill, false);
        return exit_code != -2;
      },
      std::chrono::seconds(30)));
  EXPECT_LT(Clock::now() - changed, std::chrono::seconds(20))
      << "with the cap lifted the rows left go at full speed";
  if (exit_code == -2) exit_code = WaitTandem(backfill);
  EXPECT_EQ(exit_code, 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM items WHERE _tandem_written_by IS NULL"), "0");
  nlohmann::json recorded = nlohmann::json::parse(
      Scalar("SELECT detail FROM tandem.events WHERE kind = 'throttle_change'"));
  EXPECT_EQ(recorded["max_rows_per_second"], 0) << recorded.dump();
  EXPECT_EQ(recorded["max_replica_lag"], "30.00s") << recorded.dump();

  HttpAnswer finished =
      served.Send("POST", "/api/v1/throttle", Bearer(token), R"({"max_rows_per_second": 100})");
  EXPECT_EQ(finished.status, 409) << "no backfill left to throttle: " << finished.body;
}

TEST_F(ControlApiChangesTest, ASignoffIsRecordedAsTandemSignoffRecordsIt) {
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  std::string token = served.token();
  std::string body = R"({"category": "data_quality", "by": "ana", "note": "parity checked"})";
  EXPECT_EQ(served.Send("POST", "/api/v1/signoff", {}, body).status, 401);
  for (const char* bad : {R"({"category": "data_quality"})", R"({"by": "ana"})",
                          R"({"category": "taste", "by": "ana"})",
                          R"({"category": "data_quality", "by": "ana", "note": 5})", "[]"}) {
    HttpAnswer refused = served.Send("POST", "/api/v1/signoff", Bearer(token), bad);
    EXPECT_EQ(refused.status, 400) << bad << ": " << refused.body;
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.governance"), "0") << "nothing refused was kept";

  HttpAnswer signed_off = served.Send("POST", "/api/v1/signoff", Bearer(token), body);
  ASSERT_EQ(signed_off.status, 200) << signed_off.body;
  EXPECT_EQ(Scalar("SELECT by_name || ' ' || kind FROM tandem.governance"), "ana signoff");
  EXPECT_EQ(Scalar("SELECT description FROM tandem.events WHERE kind = 'signoff'"),
            "data_quality signed off by ana");
  nlohmann::json scorecard = nlohmann::json::parse(served.Send("GET", "/api/v1/gates", {}).body);
  bool seen = false;
  for (const auto& row : scorecard["scorecard"]) {
    if (row.dump().find("ana") != std::string::npos) seen = true;
  }
  EXPECT_TRUE(seen) << "the scorecard shows who signed: " << scorecard.dump();
}

}  // namespace
}  // namespace tandem::testing
