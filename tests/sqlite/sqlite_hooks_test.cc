// Hooks on a real migration: a command hook writing every event to a file,
// an HTTP receiver (a small server in this test) taking the events POSTed
// as JSON, and hooks that fail or hang without holding the migration back;
// their failures are recorded as events of kind "hook".
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "sqlite/sqlite_fixture.h"
#include "support/json_lines.h"

namespace tandem::testing {
namespace {

bool HasEvent(const std::vector<nlohmann::json>& events, const std::string& kind,
              const std::string& outcome) {
  for (const auto& e : events) {
    if (e["event"] == kind && e["outcome"] == outcome) return true;
  }
  return false;
}

class SqliteHooksTest : public SqliteTest {
 protected:
  void SetUpDatabase() override { CreateUsers(200); }
  std::string WithHooks(const std::string& hooks) {
    return WriteMigration("02_name.yaml", std::string(kUsersNameNotNull) + hooks);
  }
};

TEST_F(SqliteHooksTest, ACommandHookGetsEveryEventAsJson) {
  std::string out = TempDir() + "/hook_events.jsonl";
  std::remove(out.c_str());
  std::string file = WithHooks("hooks:\n  command: cat >> " + out + "; echo >> " + out + "\n");
  auto started = Tandem({"start", file});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  std::vector<nlohmann::json> events = JsonLines(ReadFile(out));
  ASSERT_FALSE(events.empty());
  for (const auto& e : events) {
    EXPECT_EQ(e["migration"], "02_name");
    EXPECT_EQ(e["schema"], "main");
    EXPECT_TRUE(std::regex_match(e["at"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")))
        << e.dump();
  }
  EXPECT_TRUE(HasEvent(events, "phase", "ok")) << ReadFile(out);
  EXPECT_TRUE(HasEvent(events, "backfill", "ok")) << "backfill finished: " << ReadFile(out);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'hook'"), "0");
}

TEST_F(SqliteHooksTest, AnHttpReceiverGetsTheEventsPosted) {
  httplib::Server receiver;
  std::mutex mutex;
  std::vector<std::string> bodies;
  std::vector<std::string> content_types;
  receiver.Post("/events", [&](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard<std::mutex> lock(mutex);
    bodies.push_back(request.body);
    content_types.push_back(request.get_header_value("Content-Type"));
    response.status = 204;
  });
  int port = receiver.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread serving([&] { receiver.listen_after_bind(); });
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/events";
  auto started = Tandem({"--hook-url", url, "start", WithHooks("")});
  receiver.stop();
  serving.join();
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_FALSE(bodies.empty());
  std::vector<nlohmann::json> events;
  for (const auto& body : bodies) events.push_back(nlohmann::json::parse(body));
  EXPECT_EQ(content_types.front(), "application/json");
  EXPECT_EQ(events.front()["migration"], "02_name");
  EXPECT_TRUE(HasEvent(events, "backfill", "ok"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'hook'"), "0");
}

TEST_F(SqliteHooksTest, FailingAndHangingHooksNeitherStopNorHoldTheMigration) {
  auto begun = std::chrono::steady_clock::now();
  std::string file = WithHooks(
      "hooks:\n  command: sleep 30\n  url: http://127.0.0.1:1/nobody\n  timeout: 300ms\n  "
      "events: [phase]\n");
  auto started = Tandem({"start", file});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto completed = Tandem({"complete"});
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  EXPECT_LT(std::chrono::steady_clock::now() - begun, std::chrono::seconds(25))
      << "a hanging hook was waited for past its timeout";
  EXPECT_EQ(Scalar("SELECT phase FROM tandem_migrations"), "completed");
  int failures = std::stoi(
      Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'hook' AND outcome = 'failed'"));
  EXPECT_GE(failures, 2) << "each failed call is recorded";
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem_events WHERE kind = 'hook' AND detail LIKE "
                   "'%was stopped%'") != "0",
            true);
  EXPECT_NE(started.err.find("the migration goes on"), std::string::npos) << started.err;
}

}  // namespace
}  // namespace tandem::testing
