// tandem's sections beyond backfill and verify (lock, run, metrics, alerts,
// hooks), and the shared config file made of the same sections.
#include <gtest/gtest.h>

#include "reader/config_file.h"
#include "reader/reader_test_helpers.h"

namespace tandem::reader {
namespace {

constexpr char kOperation[] = "operations:\n  - drop_table: {name: t}\n";

TEST(SettingsSectionsTest, ReadsEverySection) {
  plan::Migration m = MustParse(std::string(kOperation) + R"y(lock:
  timeout: 2s
  deadline: 1h30m
  retry_backoff: 250ms
  retry_attempts: 12
run: {dry_run: true, require_approval: true, max_runtime: 6h}
metrics: {prefix: acme_tandem}
alerts: {error_rate: 0.5, replica_lag: 30s}
hooks:
  command: ./notify.sh
  url: http://127.0.0.1:9000/events
  timeout: 1.5s
  events: [phase, throttle]
)y");
  const plan::Settings& s = m.settings;
  EXPECT_EQ(s.lock_timeout, Millis(2000));
  EXPECT_EQ(s.lock_deadline, Millis(90 * 60 * 1000));
  EXPECT_EQ(s.lock_retry_backoff, Millis(250));
  EXPECT_EQ(s.lock_retry_attempts, 12);
  EXPECT_EQ(s.dry_run, true);
  EXPECT_EQ(s.require_approval, true);
  EXPECT_EQ(s.run_max_runtime, Millis(6 * 3600 * 1000));
  EXPECT_EQ(s.metrics_prefix, "acme_tandem");
  EXPECT_EQ(s.alert_error_rate, 0.5);
  EXPECT_EQ(s.alert_replica_lag, Millis(30000));
  EXPECT_EQ(s.hooks.command, "./notify.sh");
  EXPECT_EQ(s.hooks.url, "http://127.0.0.1:9000/events");
  EXPECT_EQ(s.hooks.timeout, Millis(1500));
  EXPECT_EQ(s.hooks.events, (std::vector<std::string>{"phase", "throttle"}));
}

TEST(SettingsSectionsTest, BadValuesAreRefusedAtTheirPlace) {
  EXPECT_NE(ErrorOf(std::string(kOperation) + "lock:\n  timeout: 5\n").find("m.yaml:4:12:"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kOperation) + "lock:\n  retry_attempts: -1\n").find("m.yaml:4:"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kOperation) + "metrics:\n  prefix: 9lives\n")
                .find("cannot start a Prometheus metric name"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kOperation) + "alerts:\n  error_rate: 120\n")
                .find("percentage from 0 to 100"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kOperation) + "hooks:\n  url: https://x/y\n")
                .find("must start with http://"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kOperation) + "hooks:\n  timeout: 1s\n").find("give a `command`"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kOperation) + "run:\n  max_runtime: 0s\n").find("m.yaml:4:"),
            std::string::npos);
  EXPECT_NE(ErrorOf(std::string(kOperation) + "run:\n  dry_run: maybe\n").find("m.yaml:4:"),
            std::string::npos);
}

TEST(ConfigFileTest, HoldsTheSectionsAndNothingElse) {
  auto config = ParseConfig("backfill:\n  concurrency: 4\nlock:\n  timeout: 1s\n", "tandem.yaml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->backfill_concurrency, 4);
  EXPECT_EQ(config->lock_timeout, Millis(1000));
  auto with_operations = ParseConfig(kOperation, "tandem.yaml");
  ASSERT_FALSE(with_operations.ok());
  EXPECT_NE(with_operations.status().message().find("tandem.yaml:1:1: operations: unknown key"),
            std::string::npos)
      << with_operations.status().message();
  EXPECT_TRUE(ParseConfig("", "tandem.yaml").ok()) << "an empty config sets nothing";
}

}  // namespace
}  // namespace tandem::reader
