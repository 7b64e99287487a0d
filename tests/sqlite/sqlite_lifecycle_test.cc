// The lifecycle's rules live in scenario files (tests/scenarios), which run
// on both engines. What stays here is what a scenario cannot say: a second
// runner turned away while another process holds the runner lock (a lock
// file held by the test, a paused backfill running beside it) and the same
// file reached through a symbolic and a hard link.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

using SqliteLifecycleTest = SqliteTest;

TEST_F(SqliteLifecycleTest, SecondRunnerIsToldWhoHoldsTheLock) {
  CreateUsers(1000);
  std::string lock = path_ + "-tandem.lock";
  int fd = open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(flock(fd, LOCK_EX | LOCK_NB), 0);
  std::string holder = "pid 4242 (user someone on host elsewhere, since earlier)\n";
  ASSERT_EQ(write(fd, holder.data(), holder.size()), static_cast<ssize_t>(holder.size()));
  std::string schema = Schema();
  auto started = Tandem({"start", WriteMigration("02_users.yaml", kUsersNameNotNull)});
  close(fd);
  EXPECT_EQ(started.exit_code, 3) << started.out << started.err;
  EXPECT_NE(started.err.find("pid 4242"), std::string::npos) << started.err;
  EXPECT_EQ(Schema(), schema);
}

// The lock belongs to the database file, whatever name a runner uses for it.
TEST_F(SqliteLifecycleTest, RunnerThroughAnotherNameOfTheFileIsRefused) {
  CreateUsers(1000);
  auto started =
      Tandem({"start", "--skip-backfill", WriteMigration("02_users.yaml", kUsersNameNotNull)});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  ASSERT_EQ(Tandem({"pause"}).exit_code, 0);
  int holder = SpawnTandem(url_, {"backfill"});  // waits, paused, holding the lock
  std::string lock = std::filesystem::canonical(path_).string() + "-tandem.lock";
  std::string pid = "pid " + std::to_string(holder) + " ";
  for (int i = 0; i < 500 && ReadFile(lock).find(pid) == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_NE(ReadFile(lock).find(pid), std::string::npos) << ReadFile(lock);
  std::string symlink = path_ + ".symlink";
  std::string hardlink = TempDir() + "/elsewhere/" + "hardlink.db";
  std::filesystem::remove(symlink);
  std::filesystem::remove_all(TempDir() + "/elsewhere");
  std::filesystem::create_directory(TempDir() + "/elsewhere");
  std::filesystem::create_symlink(path_, symlink);
  std::filesystem::create_hard_link(path_, hardlink);
  std::string schema = Schema();
  for (const auto& other : {symlink, hardlink}) {
    auto second = RunTandem("sqlite:" + other, {"rollback"});
    EXPECT_EQ(second.exit_code, 3) << other << "\n" << second.out << second.err;
    EXPECT_NE(second.err.find(pid), std::string::npos) << other << "\n" << second.err;
    EXPECT_EQ(Schema(), schema) << other;
  }
  kill(holder, SIGTERM);
  WaitTandem(holder);
  std::filesystem::remove(symlink);
  std::filesystem::remove_all(TempDir() + "/elsewhere");
}

}  // namespace
}  // namespace tandem::testing
