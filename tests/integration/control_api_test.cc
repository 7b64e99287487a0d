// `tandem serve`'s JSON API on a real server, asked with a real HTTP
// client: reads need no token on loopback, every change needs the bearer
// token, another origin's page is refused, the wrong method gets 405, and
// the event log streams as server-sent events that resume after
// Last-Event-ID.
#include <nlohmann/json.hpp>
#include <regex>

#include "integration/items_table.h"
#include "integration/pg_fixture.h"
#include "support/served_metrics.h"

namespace tandem::testing {
namespace {

using Headers = std::map<std::string, std::string>;

class ControlApiTest : public ItemsMigrationTest {
 protected:
  static Headers Bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
  std::string Paused() { return Scalar("SELECT paused FROM tandem.migrations"); }
};

TEST_F(ControlApiTest, ChangesNeedTheTokenAndNoOtherOriginReadsNeedNeither) {
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  std::string token = served.token();
  ASSERT_FALSE(token.empty()) << "the first serve makes and prints a token:\n" << served.errors();
  EXPECT_EQ(Scalar("SELECT sha256 FROM tandem.control_token"),
            Scalar("SELECT encode(sha256(convert_to('" + token + "', 'UTF8')), 'hex')"))
      << "only the token's SHA-256 is stored";

  HttpAnswer history = served.Send("GET", "/api/v1/history", {});
  ASSERT_EQ(history.status, 200) << history.body;
  nlohmann::json records = nlohmann::json::parse(history.body);
  ASSERT_EQ(records.size(), 1u) << history.body;
  EXPECT_EQ(records[0]["name"], "02_code");

  HttpAnswer no_token = served.Send("POST", "/api/v1/pause", {});
  EXPECT_EQ(no_token.status, 401) << no_token.body;
  HttpAnswer wrong = served.Send("POST", "/api/v1/pause", Bearer("tdm_0123"));
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  Headers evil = Bearer(token);
  evil["Origin"] = "http://attacker.example";
  HttpAnswer cross = served.Send("POST", "/api/v1/pause", evil);
  EXPECT_EQ(cross.status, 403) << cross.body;
  HttpAnswer cross_read = served.Send("GET", "/api/v1/status", {{"Sec-Fetch-Site", "cross-site"}});
  EXPECT_EQ(cross_read.status, 403) << cross_read.body;
  EXPECT_EQ(Paused(), "f") << "nothing refused changed anything";

  EXPECT_EQ(served.Send("GET", "/api/v1/pause", {}).status, 405);
  EXPECT_EQ(served.Send("PUT", "/api/v1/status", {}).status, 405);
  EXPECT_EQ(served.Send("DELETE", "/api/v1/flags/read_new", Bearer(token)).status, 405);

  HttpAnswer pause = served.Send("POST", "/api/v1/pause", Bearer(token));
  ASSERT_EQ(pause.status, 200) << pause.body;
  EXPECT_EQ(nlohmann::json::parse(pause.body)["done"], "backfill paused");
  EXPECT_EQ(Paused(), "t");
  ASSERT_EQ(served.Send("POST", "/api/v1/resume", Bearer(token)).status, 200);
  EXPECT_EQ(Paused(), "f");

  HttpAnswer switched = served.Send("POST", "/api/v1/switch", Bearer(token));
  EXPECT_EQ(switched.status, 409) << "refused while the backfill has not run: " << switched.body;
  EXPECT_EQ(nlohmann::json::parse(switched.body)["exit_code"], 1) << switched.body;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "active");
}

TEST_F(ControlApiTest, FlagsAreSetWithTheTokenAndReadBack) {
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  std::string token = served.token();
  HttpAnswer set =
      served.Send("POST", "/api/v1/flags/read_new", Bearer(token), R"({"percent": 12.5})");
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Scalar("SELECT basis_points FROM tandem.flags WHERE name = 'read_new'"), "1250");

  HttpAnswer got = served.Send("GET", "/api/v1/flags", {});
  ASSERT_EQ(got.status, 200) << got.body;
  nlohmann::json flags = nlohmann::json::parse(got.body);
  EXPECT_EQ(flags["migration"], "02_code");
  ASSERT_EQ(flags["flags"].size(), 1u) << got.body;
  EXPECT_EQ(flags["flags"][0]["percent"], 12.5);

  HttpAnswer bad_share =
      served.Send("POST", "/api/v1/flags/read_new", Bearer(token), R"({"percent": 120})");
  EXPECT_EQ(bad_share.status, 400) << bad_share.body;
  HttpAnswer bad_body = served.Send("POST", "/api/v1/flags/read_new", Bearer(token), "25%");
  EXPECT_EQ(bad_body.status, 400) << bad_body.body;
  EXPECT_NE(bad_body.body.find("percent"), std::string::npos) << bad_body.body;
  HttpAnswer bad_name =
      served.Send("POST", "/api/v1/flags/Read-New", Bearer(token), R"({"percent": 5})");
  EXPECT_EQ(bad_name.status, 400) << bad_name.body;
  EXPECT_EQ(Scalar("SELECT basis_points FROM tandem.flags WHERE name = 'read_new'"), "1250");
}

TEST_F(ControlApiTest, GatesAreReadWithTheirConditionsAndTheScorecard) {
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  HttpAnswer got = served.Send("GET", "/api/v1/gates", {});
  ASSERT_EQ(got.status, 200) << got.body;
  nlohmann::json view = nlohmann::json::parse(got.body);
  EXPECT_EQ(view["migration"], "02_code");
  ASSERT_EQ(view["gates"].size(), 3u) << got.body;
  std::vector<std::string> commands;
  for (const auto& gate : view["gates"]) commands.push_back(gate["command"]);
  EXPECT_EQ(commands, (std::vector<std::string>{"start", "switch", "complete"})) << got.body;
  // Without a governance section the switch gate asks for what switch itself
  // checks: the finished backfill and a passing verification.
  EXPECT_EQ(view["gates"][1]["conditions"].size(), 2u) << got.body;
  EXPECT_EQ(view["scorecard"].size(), 5u) << got.body;
  EXPECT_EQ(served.Send("POST", "/api/v1/gates", {}).status, 405);
}

TEST_F(ControlApiTest, NewTokenReplacesTheOldOne) {
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  std::string first = served.token();
  CommandResult renewed = Tandem({"serve", "--new-token"});
  ASSERT_EQ(renewed.exit_code, 0) << renewed.err;
  std::smatch match;
  ASSERT_TRUE(std::regex_match(renewed.out, match, std::regex("(tdm_[0-9a-f]{64})\n")))
      << renewed.out;
  std::string second = match[1];
  EXPECT_NE(second, first);
  EXPECT_EQ(served.Send("POST", "/api/v1/pause", Bearer(first)).status, 401);
  EXPECT_EQ(served.Send("POST", "/api/v1/pause", Bearer(second)).status, 200);
}

// The ids of the messages of a server-sent events text, in order.
std::vector<long long> EventIds(const std::string& text) {
  std::vector<long long> ids;
  std::regex id_line("(^|\n)id: ([0-9]+)\n");
  for (auto it = std::sregex_iterator(text.begin(), text.end(), id_line);
       it != std::sregex_iterator(); ++it) {
    ids.push_back(std::stoll((*it)[2]));
  }
  return ids;
}

TEST_F(ControlApiTest, EventsStreamInOrderAndResumeAfterLastEventId) {
  ServedTandem served(url_);
  ASSERT_NE(served.port(), 0) << served.errors();
  std::string text = served.ReadEvents("/api/v1/events", {}, 4);
  std::vector<long long> ids = EventIds(text);
  ASSERT_GE(ids.size(), 4u) << text;
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]) << text;
  EXPECT_NE(text.find("event: phase\ndata: {"), std::string::npos) << text;

  // A change made now arrives on a stream resumed after the events seen.
  std::string token = served.token();
  long long last_seen = std::stoll(Scalar("SELECT max(id) FROM tandem.events"));
  ASSERT_EQ(served.Send("POST", "/api/v1/pause", Bearer(token)).status, 200);
  std::string resumed =
      served.ReadEvents("/api/v1/events", {{"Last-Event-ID", std::to_string(last_seen)}}, 1);
  std::vector<long long> after = EventIds(resumed);
  ASSERT_EQ(after.size(), 1u) << resumed;
  EXPECT_GT(after[0], last_seen);
  EXPECT_NE(resumed.find("\"description\":\"paused\""), std::string::npos) << resumed;

  HttpAnswer bad = served.Send("GET", "/api/v1/events", {{"Last-Event-ID", "yesterday"}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("Last-Event-ID"), std::string::npos) << bad.body;
}

}  // namespace
}  // namespace tandem::testing
