// `tandem serve` on a real server: /metrics follows a backfill as it runs,
// pauses and finishes, and Prometheus' own linter accepts every answer;
// /api/v1/status is `status --json`; bad flags and a busy address are
// refused with their exit codes.
#include <nlohmann/json.hpp>
#include <thread>

#include "integration/items_table.h"
#include "integration/pg_fixture.h"
#include "support/served_metrics.h"

namespace tandem::testing {
namespace {

constexpr char kRowsDone[] = "tandem_backfill_rows_done{table=\"items\"}";
constexpr char kPaused[] = "tandem_backfill_paused{table=\"items\"}";

class ServeTest : public ItemsMigrationTest {
 protected:
  // Scrapes until `series` has a value `accept`s (up to 10 s); the last
  // scrape's text.
  template <typename Accept>
  std::string ScrapeUntil(const ServedTandem& served, const std::string& series, Accept accept) {
    std::string text;
    for (int i = 0; i < 100; ++i) {
      text = served.Get("/metrics").body;
      std::optional<double> value = MetricValue(text, series);
      if (value && accept(*value)) return text;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << series << " never reached the value awaited; last scrape:\n" << text;
    return text;
  }
};

TEST_F(ServeTest, MetricsFollowABackfillThatRunsPausesAndFinishes) {
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();

  HttpAnswer first = served.Get("/metrics");
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(PromtoolComplaints(first.body), "");
  EXPECT_EQ(MetricValue(first.body, "tandem_database_up"), 1.0) << first.body;
  EXPECT_EQ(MetricValue(first.body,
                        "tandem_migration_info{migration=\"02_code\",schema=\"public\","
                        "phase=\"active\",version_schema=\"public_02_code\"}"),
            1.0)
      << first.body;
  EXPECT_EQ(MetricValue(first.body, "tandem_migration_backfill_done"), 0.0) << first.body;

  // About 10 s of backfill: long enough to see it move and pause.
  int backfill =
      SpawnTandem(url_, {"backfill", "--batch-size", "200", "--max-rows-per-second", "6000"});
  std::string moving = ScrapeUntil(served, kRowsDone, [](double rows) { return rows > 0; });
  EXPECT_EQ(PromtoolComplaints(moving), "");
  EXPECT_EQ(MetricValue(moving, "tandem_backfill_rows_estimated{table=\"items\"}").has_value(),
            true)
      << moving;

  ASSERT_EQ(Tandem({"pause"}).exit_code, 0);
  std::string paused = ScrapeUntil(served, kPaused, [](double p) { return p == 1; });
  EXPECT_EQ(MetricValue(paused, "tandem_backfill_waiting{table=\"items\"}"), 1.0) << paused;
  EXPECT_FALSE(MetricValue(paused, "tandem_backfill_eta_seconds{table=\"items\"}"))
      << "no ETA while nothing moves:\n"
      << paused;
  EXPECT_EQ(PromtoolComplaints(paused), "");

  ASSERT_EQ(Tandem({"resume"}).exit_code, 0);
  ASSERT_EQ(WaitTandem(backfill), 0);
  std::string done = served.Get("/metrics").body;
  EXPECT_EQ(MetricValue(done, kRowsDone), 60000.0) << done;
  EXPECT_EQ(MetricValue(done, "tandem_backfill_done{table=\"items\"}"), 1.0) << done;
  EXPECT_EQ(MetricValue(done, "tandem_migration_backfill_done"), 1.0) << done;
  // The chunks' durations as a histogram: every chunk in some bucket.
  std::optional<double> chunks =
      MetricValue(done, "tandem_backfill_chunk_duration_seconds_count{table=\"items\"}");
  ASSERT_TRUE(chunks) << done;
  EXPECT_GT(*chunks, 0) << done;
  EXPECT_EQ(MetricValue(done,
                        "tandem_backfill_chunk_duration_seconds_bucket{table=\"items\","
                        "le=\"+Inf\"}"),
            chunks)
      << done;
  EXPECT_EQ(PromtoolComplaints(done), "");

  // The JSON API answers what `status --json` prints.
  HttpAnswer status = served.Get("/api/v1/status");
  ASSERT_EQ(status.status, 200) << status.body;
  EXPECT_EQ(status.content_type, "application/json");
  nlohmann::json parsed = nlohmann::json::parse(status.body);
  EXPECT_EQ(parsed["active"]["name"], "02_code");
  EXPECT_EQ(parsed["backfill"][0]["rows_scanned"], 60000);

  // It only reads: anything but GET is refused.
  EXPECT_EQ(served.Post("/metrics").status, 405);
  EXPECT_EQ(served.Get("/no-such-page").status, 404);
  EXPECT_EQ(served.Stop(), 0) << "SIGTERM ends serve cleanly";
}

TEST_F(ServeTest, BadFlagsExitTwoAndATakenAddressExitsThree) {
  CommandResult prefix = Tandem({"serve", "--metrics-prefix", "shop-db"});
  EXPECT_EQ(prefix.exit_code, 2) << prefix.err;
  EXPECT_NE(prefix.err.find("--metrics-prefix \"shop-db\""), std::string::npos) << prefix.err;
  CommandResult listen = Tandem({"serve", "--listen", "localhost"});
  EXPECT_EQ(listen.exit_code, 2) << listen.err;
  EXPECT_NE(listen.err.find("HOST:PORT"), std::string::npos) << listen.err;

  ServedTandem first(url_);
  ASSERT_NE(first.port(), 0) << first.errors();
  // Bounded: a second server that shared the port would serve until killed.
  CommandResult second = RunTandemWithin(
      url_, {"serve", "--listen", "127.0.0.1:" + std::to_string(first.port())}, {.seconds = 10});
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find("in use"), std::string::npos) << second.err;
}

}  // namespace
}  // namespace tandem::testing
