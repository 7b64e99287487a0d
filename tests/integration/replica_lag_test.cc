// Replica-lag throttling, and the replica lag alert, against a real
// streaming replica. The suite starts
// a primary and a replica of its own (OwnServer), so pausing replay never
// holds the backfills of the other tests, which share the harness server.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "integration/own_server.h"
#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

using std::chrono::milliseconds;

constexpr char kEvents[] = R"sql(
CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL);
INSERT INTO events SELECT i, CASE WHEN i % 3 = 0 THEN 'click' ELSE 'view' END
FROM generate_series(1, 200000) i;
)sql";

constexpr char kKindNotNullUpper[] = R"y(operations:
  - alter_column:
      table: events
      column: kind
      type: varchar(10)
      up: upper(kind)
      down: lower(kind)
alerts: {replica_lag: 2s}
)y";

class ReplicaLagTest : public PgTest {
 protected:
  // A primary and its replica of this suite's own; PgTest then creates this
  // test's database on the primary, and the replica receives it.
  static void SetUpTestSuite() {
    ASSERT_TRUE(server_.Start());
    ASSERT_TRUE(server_.StartReplica());
  }
  static void TearDownTestSuite() { server_.Stop(); }

  void SetUpDatabase() override {
    replica_url_ = server_.ReplicaUrl() + " dbname=" + db_name_;
    Exec(kEvents);
    ASSERT_EQ(
        Tandem({"start", "--skip-backfill", WriteMigration("05_kind.yaml", kKindNotNullUpper)})
            .exit_code,
        0);
    WaitForReplay();
  }

  std::string OnReplica(const std::string& sql) {
    auto database = backend::OpenDatabase(replica_url_);
    EXPECT_TRUE(database.ok());
    auto conn = (*database)->Connect();
    EXPECT_TRUE(conn.ok()) << conn.status().message();
    if (!conn.ok()) return "";
    auto rows = (*conn)->Query(sql);
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status().message();
    return rows.ok() ? rows->Scalar().value_or("NULL") : "";
  }

  // Waits until the replica has replayed everything the primary wrote so far.
  void WaitForReplay() {
    std::string lsn = Scalar("SELECT pg_current_wal_lsn()");
    for (int i = 0; i < 100; ++i) {
      if (OnReplica("SELECT pg_last_wal_replay_lsn() >= '" + lsn + "'") == "t") return;
      std::this_thread::sleep_for(milliseconds(100));
    }
    FAIL() << "the replica did not replay up to " << lsn;
  }

  // The alert events of the migration, oldest first: "fired:replica_lag,...".
  std::string AlertOutcomes() {
    return Scalar(
        "SELECT string_agg(outcome || ':' || (detail::json->>'name'), ',' ORDER BY id) "
        "FROM tandem.events WHERE kind = 'alert'");
  }

  std::string Done() {
    return Scalar("SELECT count(*) FROM events WHERE _tandem_written_by IS NOT NULL");
  }

  // Pauses replay, runs the backfill with `args`, checks that it stops
  // writing while replay stays paused, then resumes replay and returns the
  // backfill's output once it finished.
  CommandResult BackfillAgainstPausedReplay(std::vector<std::string> args) {
    OnReplica("SELECT pg_wal_replay_pause()");
    // The rate cap keeps the backfill going for 10 s at least, however fast
    // the machine, so replay is paused while it runs.
    args.insert(args.begin(), {"--json", "backfill", "--batch-size", "100", "--max-replica-lag",
                               "1s", "--max-rows-per-second", "20000"});
    CommandResult backfill;
    std::thread runner([&] { backfill = Tandem(args); });
    std::this_thread::sleep_for(milliseconds(5000));
    std::string held = Done();
    std::this_thread::sleep_for(milliseconds(2000));
    EXPECT_EQ(Done(), held) << "the backfill wrote while the replica lagged";
    EXPECT_NE(held, "200000") << "the backfill finished although replay was paused";
    OnReplica("SELECT pg_wal_replay_resume()");
    runner.join();
    EXPECT_EQ(backfill.exit_code, 0) << backfill.err;
    EXPECT_EQ(Done(), "200000");
    return backfill;
  }

  static inline OwnServer server_{"replica"};
  std::string replica_url_;
};

TEST_F(ReplicaLagTest, ThrottlesOnTheLagOfAReplicaGivenWithReplicaAndFinishesOnceReplayResumes) {
  CommandResult backfill = BackfillAgainstPausedReplay({"--replica", replica_url_});
  EXPECT_NE(backfill.out.find("\"waiting_reason\":\"replica lag "), std::string::npos)
      << backfill.out;
  EXPECT_NE(backfill.out.find(" > 1.00s on replica "), std::string::npos) << backfill.out;
  EXPECT_NE(backfill.out.find("(replay paused)"), std::string::npos) << backfill.out;
  EXPECT_EQ(Scalar("SELECT count(*) > 0 FROM tandem.events WHERE description = 'throttle "
                   "started' AND detail LIKE 'replica lag %'"),
            "t");
  EXPECT_EQ(AlertOutcomes(), "fired:replica_lag,cleared:replica_lag");
}

TEST_F(ReplicaLagTest, ThrottlesOnTheStandbyLagThePrimarySeesWithoutReplicaFlags) {
  CommandResult backfill = BackfillAgainstPausedReplay({});
  EXPECT_NE(backfill.out.find(" > 1.00s on standby walreceiver at local socket ("),
            std::string::npos)
      << backfill.out;
  EXPECT_NE(backfill.out.find("bytes of WAL received but not replayed"), std::string::npos);
  // The file's alert on the same measurement: one event when the lag went
  // over 2s, one when replay caught up.
  EXPECT_EQ(AlertOutcomes(), "fired:replica_lag,cleared:replica_lag");
  EXPECT_EQ(Scalar("SELECT (detail::json->>'threshold')::float FROM tandem.events WHERE kind = "
                   "'alert' ORDER BY id LIMIT 1"),
            "2");
}

}  // namespace
}  // namespace tandem::testing
