#include "serve/metrics.h"

#include <gtest/gtest.h>

#include <set>

#include "serve/http_server.h"

namespace tandem::serve {
namespace {

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

core::StatusReport ActiveBackfill() {
  core::StatusReport report;
  core::MigrationRecord active;
  active.name = "02_code";
  active.schema = "public";
  active.phase = core::Phase::kActive;
  active.version_schema = "public_02_code";
  report.active = active;
  backfill::Progress items;
  items.table = "items";
  items.rows_scanned = 1200;
  items.estimated_total = 60000;
  items.rows_per_second = 400.5;
  items.eta = Millis(147000);
  items.workers = 2;
  items.chunk_p99 = Millis(25);
  items.state = "running";
  report.backfill.push_back(items);
  return report;
}

MetricsOptions Options(std::string prefix = "tandem") {
  MetricsOptions options;
  options.prefix = std::move(prefix);
  options.version = "1.2.3";
  return options;
}

TEST(MetricsTest, ARunningWindowShowsItsTimeLeftAndEachSignalAgainstItsThreshold) {
  core::StatusReport report = ActiveBackfill();
  report.window_state = "running";
  report.window_left_s = 42;
  report.window = observe::WindowView{
      .window_s = 60,
      .elapsed_s = 18,
      .signals = {{.name = "rollback_rate", .value = 0.5, .threshold = 1, .ok = true},
                  {.name = "errors", .value = 3, .threshold = 0, .ok = false}}};
  std::string text = RenderMetrics(Options(), report, true);
  EXPECT_TRUE(Has(text, "tandem_switch_window_info{state=\"running\"} 1\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_switch_window_left_seconds 42\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_switch_window_signal_value{signal=\"rollback_rate\"} 0.5\n"))
      << text;
  EXPECT_TRUE(Has(text, "tandem_switch_window_signal_threshold{signal=\"errors\"} 0\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_switch_window_signal_ok{signal=\"errors\"} 0\n")) << text;
  EXPECT_FALSE(Has(RenderMetrics(Options(), ActiveBackfill(), true), "switch_window"))
      << "no window, no window metrics";
}

TEST(MetricsTest, ABackfillUnderWayIsOneSamplePerTableWithHelpAndType) {
  std::string text = RenderMetrics(Options(), ActiveBackfill(), true);
  EXPECT_TRUE(Has(text, "# TYPE tandem_backfill_rows_done gauge\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_backfill_rows_done{table=\"items\"} 1200\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_backfill_rows_estimated{table=\"items\"} 60000\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_backfill_rows_per_second{table=\"items\"} 400.5\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_backfill_eta_seconds{table=\"items\"} 147\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_backfill_chunk_p99_seconds{table=\"items\"} 0.025")) << text;
  EXPECT_TRUE(Has(text,
                  "tandem_migration_info{migration=\"02_code\",schema=\"public\",phase=\"active\","
                  "version_schema=\"public_02_code\"} 1\n"))
      << text;
  EXPECT_TRUE(Has(text, "tandem_build_info{version=\"1.2.3\"} 1\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_database_up 1\n")) << text;
  // A chunk maximum nobody measured yet is left out, not reported as 0.
  EXPECT_FALSE(Has(text, "tandem_backfill_chunk_max_seconds{")) << text;
  EXPECT_TRUE(Has(text, "tandem_verify_runs_recorded 0\n")) << text;
}

TEST(MetricsTest, EveryFamilyIsDeclaredOnceBeforeItsSamples) {
  std::string text = RenderMetrics(Options(), ActiveBackfill(), true);
  std::set<std::string> declared;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string::npos) << "the last line has no line feed";
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.rfind("# TYPE ", 0) == 0) {
      std::string name = line.substr(7, line.find(' ', 7) - 7);
      EXPECT_TRUE(declared.insert(name).second) << name << " declared twice";
    } else if (line[0] != '#') {
      std::string name = line.substr(0, line.find_first_of("{ "));
      EXPECT_EQ(declared.count(name), 1u) << name << " has no TYPE line before it";
    }
  }
}

TEST(MetricsTest, APausedBackfillHasNoEta) {
  core::StatusReport report = ActiveBackfill();
  report.backfill[0].paused = true;
  report.backfill[0].waiting_reason = "paused by tandem pause";
  std::string text = RenderMetrics(Options(), report, true);
  EXPECT_TRUE(Has(text, "tandem_backfill_paused{table=\"items\"} 1\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_backfill_waiting{table=\"items\"} 1\n")) << text;
  EXPECT_FALSE(Has(text, "tandem_backfill_eta_seconds{")) << text;
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  core::StatusReport report = ActiveBackfill();
  report.backfill[0].table = "we\"ird\\name\nhere";
  std::string text = RenderMetrics(Options(), report, true);
  EXPECT_TRUE(Has(text, "{table=\"we\\\"ird\\\\name\\nhere\"}")) << text;
}

TEST(MetricsTest, AVerificationIsReportedWithItsFlagsAndParity) {
  core::StatusReport report = ActiveBackfill();
  core::VerifyRun run;
  run.passed = false;
  run.flags = 1;
  run.parity_percent = 99.5;
  run.full = true;
  report.last_verify = run;
  std::string text = RenderMetrics(Options(), report, true);
  EXPECT_TRUE(Has(text, "tandem_verify_passed 0\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_verify_flags 1\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_verify_parity_ratio 0.995\n")) << text;
}

TEST(MetricsTest, MismatchesAndDriftPerColumnFromTheStoredReport) {
  core::StatusReport report = ActiveBackfill();
  core::VerifyRun run;
  run.flags = 5;
  run.report_json = R"({"parity": [
      {"table": "items", "column": "code", "direction": "up", "mismatches": 3},
      {"table": "items", "column": "code", "direction": "up", "mismatches": 2},
      {"table": "items", "column": "code", "direction": "down", "mismatches": 0}],
    "drift": [{"table": "items", "column": "code", "flagged": true}]})";
  report.last_verify = run;
  std::string text = RenderMetrics(Options(), report, true);
  EXPECT_TRUE(Has(text,
                  "tandem_verify_mismatches{table=\"items\",column=\"code\","
                  "direction=\"up\"} 5\n"))
      << "a column checked in parts is one sample: " << text;
  EXPECT_TRUE(Has(text,
                  "tandem_verify_mismatches{table=\"items\",column=\"code\","
                  "direction=\"down\"} 0\n"))
      << text;
  EXPECT_TRUE(Has(text, "tandem_verify_drift_flagged{table=\"items\",column=\"code\"} 1\n"))
      << text;

  run.report_json = "not json";
  report.last_verify = run;
  std::string unreadable = RenderMetrics(Options(), report, true);
  EXPECT_FALSE(Has(unreadable, "tandem_verify_mismatches{")) << unreadable;
  EXPECT_TRUE(Has(unreadable, "tandem_verify_flags 5\n")) << unreadable;
}

TEST(MetricsTest, ChunkDurationsAreAHistogramWithCumulativeBuckets) {
  core::StatusReport report = ActiveBackfill();
  backfill::ChunkHistogram& h = report.backfill[0].chunk_histogram;
  h.Add(Millis(3));
  h.Add(Millis(20));
  h.Add(Millis(20));
  h.Add(Millis(60000));
  std::string text = RenderMetrics(Options(), report, true);
  EXPECT_TRUE(Has(text, "# TYPE tandem_backfill_chunk_duration_seconds histogram\n")) << text;
  const std::string bucket = "tandem_backfill_chunk_duration_seconds_bucket{table=\"items\",le=";
  EXPECT_TRUE(Has(text, bucket + "\"0.005\"} 1\n")) << text;
  EXPECT_TRUE(Has(text, bucket + "\"0.01\"} 1\n")) << text;
  EXPECT_TRUE(Has(text, bucket + "\"0.025\"} 3\n")) << text;
  EXPECT_TRUE(Has(text, bucket + "\"10\"} 3\n")) << text;
  EXPECT_TRUE(Has(text, bucket + "\"+Inf\"} 4\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_backfill_chunk_duration_seconds_count{table=\"items\"} 4\n"))
      << text;
  EXPECT_TRUE(Has(text, "tandem_backfill_chunk_duration_seconds_sum{table=\"items\"} 60.04"))
      << text;
}

TEST(ChunkHistogramTest, KeptAsTextAndReadBack) {
  backfill::ChunkHistogram h;
  EXPECT_EQ(h.ToText(), "");
  EXPECT_TRUE(backfill::ChunkHistogram::FromText("")->counts.empty());
  h.Add(Millis(7));
  h.Add(Millis(300));
  Result<backfill::ChunkHistogram> back = backfill::ChunkHistogram::FromText(h.ToText());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->counts, h.counts);
  EXPECT_NEAR(back->sum_seconds, 0.307, 1e-9);
  EXPECT_EQ(backfill::ChunkHistogram::FromText("1 2 three").status().kind(),
            ErrorKind::kInvalidInput);
  EXPECT_EQ(backfill::ChunkHistogram::FromText("1 2 3").status().kind(), ErrorKind::kInvalidInput);
}

TEST(MetricsTest, UnreadableRecordsGiveOnlyDatabaseUpZero) {
  std::string text = RenderMetrics(Options("shop_migrations"), ActiveBackfill(), false);
  EXPECT_TRUE(Has(text, "shop_migrations_database_up 0\n")) << text;
  EXPECT_FALSE(Has(text, "backfill")) << text;
  EXPECT_FALSE(Has(text, "tandem_")) << text;
}

TEST(MetricsTest, NoMigrationInProgress) {
  std::string text = RenderMetrics(Options(), core::StatusReport{}, true);
  EXPECT_TRUE(Has(text, "tandem_migration_in_progress 0\n")) << text;
  EXPECT_FALSE(Has(text, "tandem_migration_info")) << text;
}

TEST(MetricsTest, PrefixesMustStartAMetricName) {
  EXPECT_TRUE(ValidMetricPrefix("tandem"));
  EXPECT_TRUE(ValidMetricPrefix("_shop2"));
  EXPECT_FALSE(ValidMetricPrefix(""));
  EXPECT_FALSE(ValidMetricPrefix("2shop"));
  EXPECT_FALSE(ValidMetricPrefix("shop-db"));
  EXPECT_FALSE(ValidMetricPrefix("shop:db"));
}

TEST(ListenAddressTest, HostAndPortIPv6AndMistakes) {
  auto plain = ParseListenAddress("127.0.0.1:9477");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 9477);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  auto port_only = ParseListenAddress(":8080");
  ASSERT_TRUE(port_only.ok());
  EXPECT_EQ(port_only->host, "127.0.0.1");
  for (const char* bad : {"9477", "localhost:", "localhost:http", "::1:80", "h:70000", "h:-1"}) {
    auto parsed = ParseListenAddress(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().kind(), ErrorKind::kInvalidInput) << bad;
      EXPECT_NE(parsed.status().message().find("HOST:PORT"), std::string::npos) << bad;
    }
  }
}

}  // namespace
}  // namespace tandem::serve

namespace tandem::serve {
namespace {

TEST(MetricsTest, AlertsThrottleTimeRetriesHooksAndGates) {
  core::StatusReport report = ActiveBackfill();
  report.alerts = {{.name = "error_rate", .threshold = 2, .firing = true},
                   {.name = "replica_lag", .threshold = 30, .firing = false}};
  report.totals.throttle_seconds = {{"replica lag", 12.5}, {"rate cap", 3}};
  report.totals.step_retries = {{"expand", 4}};
  report.totals.hook_failures = 2;
  auto gate = [](std::string name, std::string command, std::vector<bool> met) {
    gates::Gate g;
    g.name = std::move(name);
    g.command = std::move(command);
    for (bool m : met) {
      gates::Condition c;
      c.met = m;
      g.conditions.push_back(c);
    }
    return g;
  };
  gates::Gate open = gate("expand -> backfill", "backfill", {true});
  gates::Gate shut = gate("backfill -> switch", "switch", {true, false});
  std::string text = RenderMetrics(Options(), report, true, {open, shut});
  EXPECT_TRUE(Has(text, "tandem_alert_firing{name=\"error_rate\"} 1\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_alert_firing{name=\"replica_lag\"} 0\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_alert_threshold{name=\"replica_lag\"} 30\n")) << text;
  EXPECT_TRUE(Has(text, "# TYPE tandem_throttle_seconds_total counter\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_throttle_seconds_total{reason=\"replica lag\"} 12.5\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_ddl_lock_retries_total{phase=\"expand\"} 4\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_hook_failures_total 2\n")) << text;
  EXPECT_TRUE(Has(text, "tandem_gate_open{gate=\"expand -> backfill\",command=\"backfill\"} 1\n"))
      << text;
  EXPECT_TRUE(Has(text, "tandem_gate_open{gate=\"backfill -> switch\",command=\"switch\"} 0\n"))
      << text;
  EXPECT_FALSE(Has(RenderMetrics(Options(), core::StatusReport{}, true), "alert_firing"))
      << "no migration in progress, no alerts";
}

}  // namespace
}  // namespace tandem::serve
