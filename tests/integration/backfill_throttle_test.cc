// The backfill's throttles on a real server: each one observably holds the
// backfill, names its reason while it holds, and lets go (or stops the
// backfill resumably) as documented.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/time_window.h"
#include "integration/pg_fixture.h"
#include "support/migration_yaml.h"

namespace tandem::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr char kOrders[] = R"sql(
CREATE TABLE orders (id bigint PRIMARY KEY, amount text NOT NULL);
INSERT INTO orders SELECT i, (i % 500)::text || '.25' FROM generate_series(1, 40000) i;
CREATE TABLE knob (value int NOT NULL);
INSERT INTO knob VALUES (10);
)sql";

const std::string kAmountToNumeric = ChangeTypeMigration(
    "orders", "amount", "numeric", "CAST(amount AS numeric)", "CAST(amount AS text)");

// A window that opens in two hours and closes an hour later: closed now,
// whatever the time of day.
std::string ClosedWindow() {
  int now = LocalMinuteOfDay();
  return FormatMinuteOfDay((now + 120) % 1440) + "-" + FormatMinuteOfDay((now + 180) % 1440);
}

class BackfillThrottleTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(kOrders);
    file_ = WriteMigration("03_amount.yaml", kAmountToNumeric);
  }
  void Start() { ASSERT_EQ(Tandem({"start", "--skip-backfill", file_}).exit_code, 0); }
  std::string Done() {
    return Scalar("SELECT count(*) FROM orders WHERE _tandem_written_by IS NOT NULL");
  }
  std::string ThrottleEvents() {
    return Scalar(
        "SELECT coalesce(string_agg(description, ',' ORDER BY id), '') FROM tandem.events WHERE "
        "kind = 'throttle'");
  }
  // Runs `tandem --json backfill args` on a thread of its own.
  std::thread Backfill(std::vector<std::string> args, CommandResult* result) {
    args.insert(args.begin(), {"--json", "backfill", "--batch-size", "1000"});
    return std::thread([this, args, result] { *result = Tandem(args); });
  }
  std::string file_;
};

TEST_F(BackfillThrottleTest, ThrottleQueryHoldsWhileAboveItsBoundAndNamesItsValue) {
  Start();
  CommandResult backfill;
  std::thread runner =
      Backfill({"--throttle-query", "SELECT value FROM knob", "--throttle-above", "5"}, &backfill);
  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_EQ(Done(), "0") << "the probe's value is above the bound: no chunk may run";
  CommandResult holding = Tandem({"status"});
  EXPECT_NE(holding.out.find("backfill throttled since "), std::string::npos) << holding.out;
  EXPECT_NE(holding.out.find(": throttle query returned 10 > 5"), std::string::npos);
  Exec("UPDATE knob SET value = 5");
  runner.join();
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_NE(backfill.out.find("\"waiting_reason\":\"throttle query returned 10 > 5 "
                              "(--throttle-query)\""),
            std::string::npos)
      << backfill.out;
  EXPECT_EQ(Done(), "40000");
  EXPECT_EQ(ThrottleEvents(), "throttle started,throttle released");
  EXPECT_EQ(Scalar("SELECT string_agg(DISTINCT detail, ',') FROM tandem.events WHERE kind = "
                   "'throttle'"),
            "throttle query returned 10 > 5 (--throttle-query)");
  CommandResult released = Tandem({"status"});
  EXPECT_NE(released.out.find("last throttle: released at "), std::string::npos) << released.out;
  CommandResult json = Tandem({"--json", "status"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  nlohmann::json last = nlohmann::json::parse(json.out)["last_throttle"];
  EXPECT_EQ(last["holding"], false) << json.out;
  EXPECT_EQ(last["reason"], "throttle query returned 10 > 5 (--throttle-query)");
  EXPECT_GE(last["held_ms"].get<double>(), 2000) << "it held while the test slept";
}

TEST_F(BackfillThrottleTest, AFailingThrottleQueryFailsClosed) {
  Start();
  CommandResult backfill =
      Tandem({"--json", "backfill", "--throttle-query", "SELECT value FROM no_such_table",
              "--throttle-above", "5", "--backfill-max-runtime", "3s"});
  EXPECT_EQ(backfill.exit_code, 3) << backfill.out;
  EXPECT_EQ(Done(), "0");
  EXPECT_NE(backfill.out.find("throttle query failed: relation \\\"no_such_table\\\" does not "
                              "exist"),
            std::string::npos)
      << backfill.out;
}

TEST_F(BackfillThrottleTest, MaxActiveSessionsHoldsWhileOtherSessionsAreBusy) {
  Start();
  std::vector<std::thread> sessions;
  for (int i = 0; i < 3; ++i) {
    sessions.emplace_back([this] {
      auto conn = Connect();
      ASSERT_TRUE(conn->Execute("SET application_name = 'app'; SELECT pg_sleep(5)").ok());
    });
  }
  std::this_thread::sleep_for(milliseconds(700));  // let them start sleeping
  CommandResult backfill;
  std::thread runner = Backfill({"--max-active-sessions", "1"}, &backfill);
  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_EQ(Done(), "0") << "three sessions are active, one is allowed";
  for (auto& s : sessions) s.join();
  runner.join();
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_NE(backfill.out.find("3 sessions active > 1 (--max-active-sessions)"), std::string::npos)
      << backfill.out;
  EXPECT_EQ(Done(), "40000");
}

TEST_F(BackfillThrottleTest, MaxLockWaitersHoldsWhileSessionsWaitOnALock) {
  Start();
  auto holder = Connect();
  ASSERT_TRUE(holder->Execute("BEGIN; LOCK TABLE knob IN ACCESS EXCLUSIVE MODE").ok());
  std::thread waiter([this] {
    auto conn = Connect();
    ASSERT_TRUE(conn->Execute("SET application_name = 'app'; SELECT count(*) FROM knob").ok());
  });
  std::this_thread::sleep_for(milliseconds(500));  // let it queue behind the lock
  CommandResult backfill;
  std::thread runner = Backfill({"--max-lock-waiters", "0"}, &backfill);
  std::this_thread::sleep_for(milliseconds(2500));
  EXPECT_EQ(Done(), "0") << "a session waits on a lock, none may";
  ASSERT_TRUE(holder->Execute("COMMIT").ok());
  waiter.join();
  runner.join();
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_NE(backfill.out.find("1 session waiting on locks > 0 (--max-lock-waiters)"),
            std::string::npos)
      << backfill.out;
  EXPECT_EQ(Done(), "40000");
}

TEST_F(BackfillThrottleTest, OutsideTheWindowItWaitsThenMaxRuntimeStopsItResumably) {
  Start();
  std::string window = ClosedWindow();
  CommandResult backfill =
      Tandem({"--json", "backfill", "--window", window, "--backfill-max-runtime", "2s"});
  EXPECT_EQ(backfill.exit_code, 3) << backfill.out;
  EXPECT_NE(backfill.out.find("outside the window " + window), std::string::npos) << backfill.out;
  EXPECT_NE(backfill.out.find("waiting until " + window.substr(0, 5)), std::string::npos);
  EXPECT_NE(backfill.out.find("backfill.max_runtime) 2.00s reached"), std::string::npos)
      << backfill.out;
  EXPECT_NE(backfill.out.find("Run `tandem backfill` to continue"), std::string::npos);
  EXPECT_EQ(Done(), "0");
  EXPECT_EQ(Scalar("SELECT backfill_done FROM tandem.migrations"), "f");
  CommandResult resumed = Tandem({"backfill"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Done(), "40000");
}

TEST_F(BackfillThrottleTest, TheFileSettingsApplyAndFlagsWin) {
  std::string file = WriteMigration("04_amount.yaml", std::string(kAmountToNumeric) +
                                                          "backfill:\n  window: " + ClosedWindow() +
                                                          "\n  max_runtime: 2s\n");
  CommandResult start = Tandem({"start", file});
  EXPECT_EQ(start.exit_code, 3) << start.out;
  EXPECT_NE(start.err.find("backfill.max_runtime) 2.00s reached"), std::string::npos) << start.err;
  EXPECT_EQ(Done(), "0") << "the file's window is closed";
  int now = LocalMinuteOfDay();
  std::string open_now =
      FormatMinuteOfDay((now + 1439) % 1440) + "-" + FormatMinuteOfDay((now + 120) % 1440);
  CommandResult resumed =
      Tandem({"backfill", "--window", open_now, "--backfill-max-runtime", "1h"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Done(), "40000");
}

TEST_F(BackfillThrottleTest, RateCapHoldsTheAverageRate) {
  Start();
  auto started = Clock::now();
  CommandResult backfill =
      Tandem({"--json", "backfill", "--batch-size", "2000", "--max-rows-per-second", "10000"});
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  ASSERT_EQ(backfill.exit_code, 0) << backfill.err;
  EXPECT_EQ(Done(), "40000");
  // One second's burst, then 10,000 rows a second: 40,000 rows need about
  // 3 s (less the chunks other workers already have under way).
  EXPECT_GE(seconds, 2.4);
  EXPECT_NE(backfill.out.find("rate cap 10000 rows/s (--max-rows-per-second)"), std::string::npos)
      << backfill.out;
}

TEST_F(BackfillThrottleTest, AnUnreachableReplicaFailsClosed) {
  Start();
  CommandResult backfill =
      Tandem({"--json", "backfill", "--replica", "host=127.0.0.1 port=1 dbname=postgres",
              "--backfill-max-runtime", "3s"});
  EXPECT_EQ(backfill.exit_code, 3) << backfill.out;
  EXPECT_EQ(Done(), "0") << "lag that cannot be measured must hold the backfill";
  EXPECT_NE(backfill.out.find("replica lag unknown on replica 127.0.0.1:1: cannot connect"),
            std::string::npos)
      << backfill.out;
}

TEST_F(BackfillThrottleTest, InvalidThrottleValuesAreRefusedBeforeAnythingRuns) {
  const std::vector<std::vector<std::string>> cases = {
      {"--window", "25:00-01:00"},       {"--window", "10:00-10:00"},
      {"--max-rows-per-second", "0"},    {"--max-replica-lag", "soon"},
      {"--throttle-query", "SELECT 1"},  {"--throttle-above", "3"},
      {"--max-active-sessions", "many"}, {"--backfill-max-runtime", "0s"}};
  for (const auto& flags : cases) {
    std::vector<std::string> args = {"start", file_};
    args.insert(args.end(), flags.begin(), flags.end());
    CommandResult start = Tandem(args);
    EXPECT_EQ(start.exit_code, 2) << flags[0] << " " << flags[1] << ": " << start.err;
    EXPECT_NE(start.err.find(flags[0]), std::string::npos) << start.err;
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'tandem'"), "0")
      << "nothing may have run";
}

}  // namespace
}  // namespace tandem::testing
