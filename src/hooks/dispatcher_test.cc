// Real commands through the dispatcher: the payload reaches the command's
// stdin, and a failing or hanging command is reported, not waited for.
#include "hooks/dispatcher.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "hooks/hook_call.h"

namespace tandem::hooks {
namespace {

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "/hooks_" + std::to_string(getpid()) + "_" + name;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(HookCommandTest, ThePayloadArrivesOnStdin) {
  std::string out = TempPath("stdin");
  std::remove(out.c_str());
  Status status = RunHookCommand("cat > '" + out + "'", R"({"event":"phase"})", Millis(5000));
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ(Slurp(out), R"({"event":"phase"})");
}

TEST(HookCommandTest, AFailingCommandSaysHowItEnded) {
  Status status = RunHookCommand("exit 3", "{}", Millis(5000));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("exited with status 3"), std::string::npos) << status.message();
}

// The test process does not ignore SIGPIPE: a command that leaves a large
// payload unread must not end it.
TEST(HookCommandTest, ACommandThatDoesNotReadItsStdinIsFine) {
  Status status = RunHookCommand("exit 0", std::string(1 << 20, 'x'), Millis(5000));
  EXPECT_TRUE(status.ok()) << status.message();
}

TEST(HookCommandTest, AHangingCommandIsStoppedAtItsTimeout) {
  auto started = std::chrono::steady_clock::now();
  Status status = RunHookCommand("sleep 30", "{}", Millis(200));
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("was stopped"), std::string::npos) << status.message();
  EXPECT_LT(took, std::chrono::seconds(10)) << "the hook was waited for past its timeout";
}

TEST(HookUrlTest, OnlyPlainHttpWithAHost) {
  EXPECT_TRUE(CheckHookUrl("http://127.0.0.1:9000/events").ok());
  EXPECT_FALSE(CheckHookUrl("https://example.com/").ok());
  EXPECT_FALSE(CheckHookUrl("http:///path").ok());
}

TEST(DispatcherTest, CallsInOrderAndCountsFailures) {
  std::string out = TempPath("order");
  std::remove(out.c_str());
  Dispatcher dispatcher;
  Targets append{"cat >> '" + out + "'; echo >> '" + out + "'", "", Millis(5000)};
  dispatcher.Post(append, "one");
  dispatcher.Post({"exit 1", "", Millis(5000)}, "two");
  dispatcher.Post(append, "three");
  dispatcher.Drain();
  EXPECT_EQ(Slurp(out), "one\nthree\n");
  EXPECT_EQ(dispatcher.failures(), 1);
  std::vector<std::string> failures = dispatcher.TakeFailures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("exit 1"), std::string::npos) << failures[0];
  EXPECT_TRUE(dispatcher.TakeFailures().empty()) << "each failure is handed out once";
}

}  // namespace
}  // namespace tandem::hooks
