// The observation window on SQLite, which keeps no statistics of its own:
// the user's probes (a command, an HTTP URL on this machine) watch it. A
// breach flips back and the old version sees every new-version write; a
// clean window lets complete run; a probe outside the local network is
// refused before anything changes.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <thread>

#include "sqlite/sqlite_fixture.h"
#include "support/wait.h"

namespace tandem::testing {
namespace {

std::string Migration(const std::string& switch_section) {
  return std::string(kUsersNameNotNull) + "switch:\n" + switch_section;
}

class SqliteObserveTest : public SqliteTest {
 protected:
  void SetUpDatabase() override { CreateUsers(50); }
  void StartVerified(const std::string& migration) {
    CommandResult start = Tandem({"start", WriteMigration("02_name.yaml", migration)});
    ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
    CommandResult verify = Tandem({"verify"});
    ASSERT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  }
  std::string Phase() { return Scalar("SELECT phase FROM tandem_migrations"); }
};

TEST_F(SqliteObserveTest, ACommandProbeBreachingFlipsBackAndTheOldVersionSeesTheWrites) {
  std::string marker = path_ + ".unhealthy";
  ASSERT_NO_FATAL_FAILURE(StartVerified(Migration(
      "  observe: 60s\n  sample_every: 1s\n  probes:\n    - {name: healthy, command: \"test ! "
      "-e '" +
      marker + "'\"}\n")));
  auto running = std::async(std::launch::async, [this] { return Tandem({"switch"}); });
  bool observing = WaitUntil(
      [&] { return Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'observing'") != "0"; });
  ASSERT_TRUE(observing) << "the window never started";
  EXPECT_EQ(Phase(), "switched");
  Exec("INSERT INTO users__02_name (id, name) VALUES (1001, 'new while watched')");
  Exec("UPDATE users__02_name SET name = 'renamed while watched' WHERE id = 3");
  std::ofstream(marker) << "down\n";

  CommandResult result = running.get();
  std::remove(marker.c_str());
  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.err.find("probe \"healthy\" (command) exited 1"), std::string::npos)
      << result.err;
  EXPECT_EQ(Phase(), "active");
  EXPECT_EQ(Scalar("SELECT name FROM users WHERE id = 1001"), "new while watched");
  EXPECT_EQ(Scalar("SELECT name FROM users WHERE id = 3"), "renamed while watched");
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'observe' AND outcome = "
                   "'failed' AND phase = 'switch'"),
            "1");
}

TEST_F(SqliteObserveTest, AnHttpProbeOnThisMachineWatchesACleanWindowAndCompleteRuns) {
  httplib::Server server;
  server.Get("/errors", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("0\n", "text/plain");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { server.listen_after_bind(); });
  ASSERT_NO_FATAL_FAILURE(StartVerified(
      Migration("  observe: 2s\n  probes:\n    - {name: errors, http: \"http://127.0.0.1:" +
                std::to_string(port) + "/errors\", max: 0}\n")));
  CommandResult refused = Tandem({"complete"});
  EXPECT_EQ(refused.exit_code, 1) << "the file asks for a window: " << refused.err;
  EXPECT_NE(refused.err.find("no clean observation window"), std::string::npos) << refused.err;

  CommandResult observed = Tandem({"switch"});
  server.stop();
  serving.join();
  ASSERT_EQ(observed.exit_code, 0) << observed.out << observed.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'observe' AND outcome = 'ok'"),
            "1");
  CommandResult status = Tandem({"status"});
  EXPECT_NE(status.out.find("observation window: clean"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("errors"), std::string::npos) << status.out;
  CommandResult complete = Tandem({"complete"});
  EXPECT_EQ(complete.exit_code, 0) << complete.out << complete.err;
}

TEST_F(SqliteObserveTest, AProbeOutsideTheLocalNetworkIsRefusedBeforeTheSwitch) {
  ASSERT_NO_FATAL_FAILURE(StartVerified(
      Migration("  observe: 2s\n  probes:\n    - {name: far, http: \"http://8.8.8.8/errors\", "
                "max: 0}\n")));
  CommandResult refused = Tandem({"switch"});
  EXPECT_EQ(refused.exit_code, 2) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("not on the local network"), std::string::npos) << refused.err;
  EXPECT_EQ(Phase(), "active");
}

TEST_F(SqliteObserveTest, BadSwitchSectionsNameTheKeyAndLine) {
  std::string file = WriteMigration(
      "02_name.yaml", Migration("  observe: 2s\n  ramp: [10%, 5%]\n  step_every: 1s\n"));
  CommandResult bad = Tandem({"plan", file});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("02_name.yaml:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("ramp"), std::string::npos) << bad.err;
  std::string no_threshold =
      WriteMigration("03_name.yaml", Migration("  probes:\n    - {name: p, sql: \"SELECT 1\"}\n"));
  CommandResult missing = Tandem({"plan", no_threshold});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("needs a threshold"), std::string::npos) << missing.err;
}

TEST_F(SqliteObserveTest, AFlipBackSetsTheRampsFlagBackToZero) {
  ASSERT_NO_FATAL_FAILURE(StartVerified(Migration("  ramp: [50%, 100%]\n  step_every: 1s\n")));
  CommandResult ramped = Tandem({"switch"});
  ASSERT_EQ(ramped.exit_code, 0) << ramped.out << ramped.err;
  EXPECT_EQ(Scalar("SELECT basis_points FROM tandem_flags WHERE name = 'read_new'"), "10000");
  CommandResult back = Tandem({"switch", "--back"});
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  EXPECT_EQ(Phase(), "active");
  // The old version is live again: no subject may still be sent to the new one.
  EXPECT_EQ(Scalar("SELECT basis_points FROM tandem_flags WHERE name = 'read_new'"), "0");
}

}  // namespace
}  // namespace tandem::testing
