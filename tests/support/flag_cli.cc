#include "support/flag_cli.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/json_lines.h"

namespace tandem::testing {
namespace {

std::vector<nlohmann::json> Objects(const std::string& out) { return JsonLines(out); }

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

void ExpectFlagCommandsRefusedWithoutMigration(const std::string& url) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"flag", "set", "read_new", "10%"},
        {"flag", "get"},
        {"flag", "history"}}) {
    CommandResult result = RunTandem(url, args);
    EXPECT_EQ(result.exit_code, 1) << args[1] << ": " << result.out << result.err;
    EXPECT_TRUE(Contains(result.err, "no migration is in progress")) << result.err;
  }
}

void ExpectFlagSetGetHistory(const std::string& url, const std::string& migration) {
  for (const char* share : {"10%", "0.5%", "50"}) {
    CommandResult set = RunTandem(url, {"flag", "set", "read_new", share});
    ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  }
  CommandResult write = RunTandem(url, {"flag", "set", "write_new", "100%"});
  ASSERT_EQ(write.exit_code, 0) << write.out << write.err;
  EXPECT_TRUE(Contains(write.out, "write_new")) << write.out;
  EXPECT_TRUE(Contains(write.out, "100%")) << write.out;

  CommandResult get = RunTandem(url, {"flag", "get"});
  ASSERT_EQ(get.exit_code, 0) << get.out << get.err;
  EXPECT_TRUE(Contains(get.out, "migration " + migration)) << get.out;
  EXPECT_TRUE(Contains(get.out, "50%")) << get.out;
  EXPECT_FALSE(Contains(get.out, "0.5%")) << "an old share shown: " << get.out;

  CommandResult json = RunTandem(url, {"--json", "flag", "get"});
  ASSERT_EQ(json.exit_code, 0) << json.out << json.err;
  std::vector<nlohmann::json> flags = Objects(json.out);
  ASSERT_EQ(flags.size(), 2u) << json.out;
  EXPECT_EQ(flags[0]["flag"], "read_new");
  EXPECT_EQ(flags[0]["percent"], 50.0);
  EXPECT_EQ(flags[0]["migration"], migration);
  EXPECT_TRUE(flags[0]["updated_at"].is_string()) << json.out;
  EXPECT_EQ(flags[1]["flag"], "write_new");
  EXPECT_EQ(flags[1]["percent"], 100.0);

  CommandResult unset = RunTandem(url, {"--json", "flag", "get", "read_old"});
  ASSERT_EQ(unset.exit_code, 0) << unset.out << unset.err;
  std::vector<nlohmann::json> none = Objects(unset.out);
  ASSERT_EQ(none.size(), 1u) << unset.out;
  EXPECT_EQ(none[0]["percent"], 0.0);
  EXPECT_TRUE(none[0]["updated_at"].is_null()) << unset.out;

  CommandResult history = RunTandem(url, {"--json", "flag", "history", "read_new"});
  ASSERT_EQ(history.exit_code, 0) << history.out << history.err;
  std::vector<nlohmann::json> changes = Objects(history.out);
  ASSERT_EQ(changes.size(), 3u) << history.out;
  EXPECT_EQ(changes[0]["percent"], 10.0);
  EXPECT_EQ(changes[1]["percent"], 0.5);
  EXPECT_EQ(changes[2]["percent"], 50.0);
  EXPECT_TRUE(changes[2]["at"].is_string()) << history.out;

  CommandResult text = RunTandem(url, {"flag", "history"});
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_TRUE(Contains(text.out, "read_new")) << text.out;
  EXPECT_TRUE(Contains(text.out, "write_new")) << text.out;
}

void ExpectBadFlagInputRejected(const std::string& url) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const Case cases[] = {
      {{"flag", "set", "read_new", "150%"}, "\"150%\" is not a share"},
      {{"flag", "set", "read_new", "abc"}, "\"abc\" is not a share"},
      {{"flag", "set", "read_new", "0.125%"}, "at most two decimals"},
      {{"flag", "set", "Read-New", "10%"}, "\"Read-New\" is not a flag name"},
      {{"flag", "get", "read new"}, "\"read new\" is not a flag name"},
      {{"flag", "set", "read_new"}, "SHARE"},
  };
  for (const Case& c : cases) {
    CommandResult result = RunTandem(url, c.args);
    EXPECT_EQ(result.exit_code, 2) << c.args.back() << ": " << result.out << result.err;
    EXPECT_TRUE(Contains(result.err, c.says)) << result.err << "\nexpected: " << c.says;
  }
  CommandResult history = RunTandem(url, {"--json", "flag", "history"});
  EXPECT_EQ(history.exit_code, 0) << history.err;
  EXPECT_EQ(history.out, "") << "a rejected change was recorded";
}

std::string FlagQuery(const std::string& url) {
  CommandResult result = RunTandem(url, {"--json", "flag", "sql"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  std::vector<nlohmann::json> lines = Objects(result.out);
  if (lines.size() != 1 || !lines[0]["query"].is_string()) {
    ADD_FAILURE() << "no query in: " << result.out;
    return "";
  }
  return lines[0]["query"];
}

}  // namespace tandem::testing
