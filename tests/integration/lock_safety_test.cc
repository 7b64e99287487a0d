// The point of the tool: DDL never queues the application behind a blocker,
// and only one runner works on a schema at a time.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "integration/pg_fixture.h"
#include "support/migration_yaml.h"

namespace tandem::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kAccounts[] = R"sql(
CREATE TABLE accounts (id bigserial PRIMARY KEY, owner text, balance integer NOT NULL DEFAULT 0);
INSERT INTO accounts (owner) SELECT 'owner ' || i FROM generate_series(1, 2000) i;
)sql";

const std::string kAddColumn =
    AddColumnMigration("accounts", "owner_upper", "text", "upper(owner)");

// How long the blocking transaction stays open. Anything queued behind
// start's ACCESS EXCLUSIVE request would wait about this long.
constexpr auto kBlockerHolds = std::chrono::milliseconds(3000);

class LockSafetyTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    if (!HasFatalFailure()) Exec(kAccounts);
  }
};

// An application session: point reads and updates until told to stop; keeps
// the worst latency it saw.
class ApplicationLoad {
 public:
  explicit ApplicationLoad(std::unique_ptr<backend::Connection> conn)
      : conn_(std::move(conn)), thread_([this] { Run(); }) {}
  ~ApplicationLoad() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  long long worst_ms() const { return worst_ms_; }
  int queries() const { return queries_; }
  int errors() const { return errors_; }

 private:
  void Run() {
    while (!stop_) {
      auto started = Clock::now();
      bool ok = conn_->Query("SELECT balance FROM accounts WHERE id = 1").ok() &&
                conn_->Execute("UPDATE accounts SET balance = balance + 1 WHERE id = 2").ok();
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      worst_ms_ = std::max<long long>(worst_ms_, ms.count());
      queries_ += 2;
      errors_ += ok ? 0 : 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::unique_ptr<backend::Connection> conn_;
  std::atomic<bool> stop_{false};
  std::atomic<long long> worst_ms_{0};
  std::atomic<int> queries_{0};
  std::atomic<int> errors_{0};
  std::thread thread_;
};

TEST_F(LockSafetyTest, StartNeverQueuesTheApplicationBehindABlocker) {
  std::string file = WriteMigration("02_owner_upper.yaml", kAddColumn);
  auto blocker = Connect();
  ASSERT_TRUE(blocker->Execute("BEGIN; SELECT count(*) FROM accounts").ok());
  std::string blocker_pid = *blocker->Query("SELECT pg_backend_pid()")->Scalar();
  ApplicationLoad app(Connect());
  CommandResult start;
  auto started = Clock::now();
  std::thread runner([&] { start = Tandem({"--lock-timeout", "200ms", "start", file}); });
  std::this_thread::sleep_for(kBlockerHolds);
  ASSERT_TRUE(blocker->Execute("COMMIT").ok());
  runner.join();
  auto took = Clock::now() - started;
  app.Stop();

  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  EXPECT_GE(took, kBlockerHolds) << "start should have waited for the blocker to finish";
  EXPECT_EQ(app.errors(), 0);
  EXPECT_GT(app.queries(), 50);
  // Queued behind start's lock request, the application would have waited
  // for the whole blocker (3 s). It may wait at most about one lock timeout
  // (200 ms); the bound leaves room for a busy machine.
  EXPECT_LT(app.worst_ms(), 1500) << "the application was stuck behind tandem's lock request";
  EXPECT_EQ(Scalar("SELECT count(*) > 0 FROM tandem.events WHERE kind = 'retry' AND detail LIKE "
                   "'%pid " +
                   blocker_pid + " %'"),
            "t")
      << "the retries should name the blocking session";
  EXPECT_NE(start.err.find("pid " + blocker_pid), std::string::npos) << start.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM accounts WHERE _tandem_new_owner_upper = upper(owner)"),
            "2000");
}

TEST_F(LockSafetyTest, StartGivesUpAtTheDeadlineAndLeavesAResumableRecord) {
  std::string file = WriteMigration("02_owner_upper.yaml", kAddColumn);
  auto blocker = Connect();
  ASSERT_TRUE(blocker->Execute("BEGIN; SELECT count(*) FROM accounts").ok());
  CommandResult start = Tandem({"--lock-timeout", "100ms", "--lock-deadline", "1s", "start", file});
  EXPECT_EQ(start.exit_code, 3) << start.err;
  EXPECT_NE(start.err.find("gave up"), std::string::npos) << start.err;
  EXPECT_NE(start.err.find("tandem start"), std::string::npos) << "says how to resume";
  ASSERT_TRUE(blocker->Execute("COMMIT").ok());
  EXPECT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "starting");
  CommandResult resumed = Tandem({"start", file});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "active");
}

// With --json, each retry's blockers are a list: one element per session
// holding the lock, each naming its pid and application.
TEST_F(LockSafetyTest, RetryEventsListEachBlockerAsItsOwnElement) {
  std::string file = WriteMigration("02_owner_upper.yaml", kAddColumn);
  std::vector<std::string> pids;
  std::vector<std::unique_ptr<backend::Connection>> blockers;
  for (const char* name : {"report-job", "billing-api"}) {
    blockers.push_back(Connect());
    ASSERT_TRUE(
        blockers.back()->Execute(std::string("SET application_name = '") + name + "'").ok());
    ASSERT_TRUE(blockers.back()->Execute("BEGIN; SELECT count(*) FROM accounts").ok());
    pids.push_back(*blockers.back()->Query("SELECT pg_backend_pid()")->Scalar());
  }
  CommandResult start =
      Tandem({"--json", "--lock-timeout", "100ms", "--lock-deadline", "1s", "start", file});
  EXPECT_EQ(start.exit_code, 3) << start.err;
  int retries = 0;
  std::istringstream lines(start.out);
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json event = nlohmann::json::parse(line);
    if (event.value("event", "") != "step_retry") continue;
    retries += 1;
    ASSERT_TRUE(event["blockers"].is_array()) << line;
    ASSERT_EQ(event["blockers"].size(), 2u) << line;
    std::string both =
        event["blockers"][0].get<std::string>() + "\n" + event["blockers"][1].get<std::string>();
    for (const std::string& pid : pids) {
      EXPECT_NE(both.find("pid " + pid + " "), std::string::npos) << line;
    }
    EXPECT_NE(both.find("report-job"), std::string::npos) << line;
    EXPECT_NE(both.find("billing-api"), std::string::npos) << line;
  }
  EXPECT_GT(retries, 0) << start.out;
}

TEST_F(LockSafetyTest, SecondRunnerIsRefusedWithTheHolderNamed) {
  auto holder = Connect();
  ASSERT_TRUE(holder->Execute("SET application_name = 'other-runner'").ok());
  ASSERT_TRUE(holder
                  ->Execute("SELECT pg_advisory_lock(1952542308, "
                            "hashtext('tandem:public'))")
                  .ok());
  std::string holder_pid = *holder->Query("SELECT pg_backend_pid()")->Scalar();
  CommandResult second = Tandem({"start", WriteMigration("02_owner_upper.yaml", kAddColumn)});
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find("another tandem runner"), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("pid " + holder_pid), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("other-runner"), std::string::npos) << second.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'tandem'"), "0");
}

TEST_F(LockSafetyTest, TwoRunnersAtOnceOnlyOneProceeds) {
  std::string file = WriteMigration("02_owner_upper.yaml", kAddColumn);
  auto blocker = Connect();
  ASSERT_TRUE(blocker->Execute("BEGIN; SELECT count(*) FROM accounts").ok());
  CommandResult first;
  std::thread runner([&] { first = Tandem({"--lock-timeout", "100ms", "start", file}); });
  // Wait until the first runner is retrying its DDL, i.e. holds the runner lock.
  EXPECT_TRUE(WaitForRunnerLock());
  CommandResult second = Tandem({"rollback"});
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_NE(second.err.find("another tandem runner"), std::string::npos) << second.err;
  ASSERT_TRUE(blocker->Execute("COMMIT").ok());
  runner.join();
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "active");
}

}  // namespace
}  // namespace tandem::testing
