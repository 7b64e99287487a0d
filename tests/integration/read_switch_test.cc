// The read switch on a real server, as an application sees it: one session
// on the live schema (search_path public_live, public), held open as a
// connection pool holds it, writes and reads without pause in a thread of
// its own while tandem runs start, backfill, verify, switch, switch --back,
// switch again with an observation window, and complete. Not one of its statements may fail, and
// every write it made while switched must be in the old version's columns after
// --back.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "integration/pg_fixture.h"

namespace tandem::testing {
namespace {

constexpr char kAccounts[] = R"sql(
CREATE TABLE accounts (id bigserial PRIMARY KEY, email text NOT NULL, name text,
  score integer NOT NULL DEFAULT 0, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO accounts (email, name)
  SELECT 'a' || i || '@example.com', CASE WHEN i % 4 = 0 THEN NULL ELSE 'name' || i END
  FROM generate_series(1, 2000) i;
)sql";

// The new version: name becomes NOT NULL, and a nickname column appears.
constexpr char kNameRequired[] = R"y(operations:
  - alter_column:
      table: accounts
      column: name
      nullable: false
      up: coalesce(name, 'anonymous')
      down: name
  - add_column:
      table: accounts
      column: {name: nickname, type: text, nullable: true}
      up: lower(name)
)y";

// Where the application is, as the test moves it along.
enum Stage { kBeforeSwitch, kSwitched, kLeaving, kSwitchedAgain, kCompleted };

// An application session on the live schema. Each round inserts a row
// (letting the defaults of score and created_at apply, and reading the id
// back with RETURNING), updates it, reads it back, and deletes every tenth
// one; all through statements both versions accept.
class LiveApplication {
 public:
  explicit LiveApplication(std::unique_ptr<backend::Connection> conn) : conn_(std::move(conn)) {}

  void Run(const std::atomic<int>& stage, const std::atomic<bool>& stop) {
    if (!Check(conn_->Execute("SET search_path TO public_live, public"), "SET")) return;
    for (int i = 0; !stop; ++i) {
      int before = stage;
      std::string name = "w" + std::to_string(i);
      auto inserted = conn_->Query("INSERT INTO accounts (email, name) VALUES ('" + name +
                                   "@example.com', '" + name + "') RETURNING id");
      if (!Check(inserted.status(), "INSERT")) continue;
      std::string id = inserted->Scalar().value_or("NULL");
      Check(conn_->Execute("UPDATE accounts SET name = name || '!', score = score + 1 WHERE id = " +
                           id),
            "UPDATE");
      auto read = conn_->Query("SELECT name || '/' || score FROM accounts WHERE id = " + id);
      if (Check(read.status(), "SELECT") && read->Scalar() != name + "!/1") {
        Fail("row " + id + " reads " + read->Scalar().value_or("nothing") + ", not " + name +
             "!/1");
      }
      if (i % 10 == 9) Check(conn_->Execute("DELETE FROM accounts WHERE id = " + id), "DELETE");
      std::lock_guard<std::mutex> lock(mutex_);
      if (i % 10 != 9 && before == kSwitched && stage == kSwitched) {
        switched_writes_.emplace_back(id, name + "!");
      }
      ++rounds_[before];
    }
  }

  // Waits until `more` further rounds have run in `stage`.
  bool WaitForRounds(int stage, int more) {
    int target = Rounds(stage) + more;
    for (int waited = 0; waited < 30000; waited += 10) {
      if (Rounds(stage) >= target) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  int Rounds(int stage) {
    std::lock_guard<std::mutex> lock(mutex_);
    return rounds_[stage];
  }
  std::vector<std::string> Errors() {
    std::lock_guard<std::mutex> lock(mutex_);
    return errors_;
  }
  std::vector<std::pair<std::string, std::string>> SwitchedWrites() {
    std::lock_guard<std::mutex> lock(mutex_);
    return switched_writes_;
  }

 private:
  bool Check(const Status& status, const std::string& what) {
    if (!status.ok()) Fail(what + ": " + status.message());
    return status.ok();
  }
  void Fail(const std::string& error) {
    std::lock_guard<std::mutex> lock(mutex_);
    errors_.push_back(error);
  }

  std::unique_ptr<backend::Connection> conn_;
  std::mutex mutex_;
  int rounds_[kCompleted + 1] = {};
  std::vector<std::string> errors_;
  std::vector<std::pair<std::string, std::string>> switched_writes_;  // id, name
};

class ReadSwitchTest : public PgTest {
 protected:
  void SetUpDatabase() override { Exec(kAccounts); }
  nlohmann::json Live() {
    CommandResult status = Tandem({"--json", "status"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    nlohmann::json parsed = nlohmann::json::parse(status.out, nullptr, false);
    if (parsed.is_discarded()) return nullptr;
    return parsed["live"];
  }
  // Whether the live schema's accounts has the new version's column.
  std::string LiveHasNickname() {
    return Scalar(
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public_live' "
        "AND table_name = 'accounts' AND column_name = 'nickname'");
  }
};

TEST_F(ReadSwitchTest, AnApplicationOnTheLiveSchemaFollowsEverySwitchWithoutAnError) {
  std::atomic<int> stage{kBeforeSwitch};
  std::atomic<bool> stop{false};
  LiveApplication app(Connect());
  std::thread client([&] { app.Run(stage, stop); });
  auto finish = [&] {
    stop = true;
    client.join();
  };
  ASSERT_TRUE(app.WaitForRounds(kBeforeSwitch, 20));

  std::string migration = WriteMigration("02_name_required.yaml", kNameRequired);
  CommandResult start = Tandem({"start", "--skip-backfill", migration});
  EXPECT_EQ(start.exit_code, 0) << start.err;
  EXPECT_EQ(LiveHasNickname(), "0") << "the live schema shows the old version after start";
  EXPECT_EQ(Live()["version"], "old");
  EXPECT_TRUE(app.WaitForRounds(kBeforeSwitch, 20));
  CommandResult backfill = Tandem({"backfill"});
  EXPECT_EQ(backfill.exit_code, 0) << backfill.err;

  // Refused until a passing verification is recorded; nothing changes.
  CommandResult early = Tandem({"switch"});
  EXPECT_EQ(early.exit_code, 1) << early.out << early.err;
  EXPECT_NE(early.err.find("no passing full verification"), std::string::npos) << early.err;
  EXPECT_NE(early.err.find("tandem verify"), std::string::npos) << early.err;
  EXPECT_EQ(LiveHasNickname(), "0");
  EXPECT_EQ(Live()["version"], "old");

  CommandResult verify = Tandem({"verify"});
  ASSERT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  CommandResult to_new = Tandem({"switch"});
  ASSERT_EQ(to_new.exit_code, 0) << to_new.err;
  stage = kSwitched;
  EXPECT_EQ(LiveHasNickname(), "1");
  nlohmann::json live = Live();
  EXPECT_EQ(live["schema"], "public_live");
  EXPECT_EQ(live["version"], "new");
  EXPECT_EQ(live["source"], "public_02_name_required");
  EXPECT_TRUE(app.WaitForRounds(kSwitched, 50));

  stage = kLeaving;
  CommandResult back = Tandem({"switch", "--back"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(LiveHasNickname(), "0");
  EXPECT_EQ(Live()["version"], "old");
  // Every write of the window, as the old version reads it: made through
  // the new version (marked so), with the old column current.
  auto writes = app.SwitchedWrites();
  ASSERT_FALSE(writes.empty());
  std::string values;
  for (const auto& [id, name] : writes) {
    values += std::string(values.empty() ? "" : ", ") + "(" + id + ", '" + name + "')";
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM public.accounts a JOIN (VALUES " + values +
                   ") AS w(id, name) ON a.id = w.id WHERE a.name = w.name AND a.score = 1 "
                   "AND a._tandem_written_by = 'n'"),
            std::to_string(writes.size()));

  // Switched again with an observation window the application runs through
  // (complete needs a clean one).
  stage = kSwitchedAgain;
  CommandResult again = Tandem({"switch", "--observe", "2s"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("observation window clean"), std::string::npos) << again.out;
  EXPECT_TRUE(app.WaitForRounds(kSwitchedAgain, 20));
  CommandResult complete = Tandem({"complete"});
  EXPECT_EQ(complete.exit_code, 0) << complete.err;
  stage = kCompleted;
  EXPECT_TRUE(app.WaitForRounds(kCompleted, 20));
  finish();

  EXPECT_EQ(app.Errors(), std::vector<std::string>()) << "the application saw errors";
  EXPECT_EQ(LiveHasNickname(), "1") << "the live schema shows the final shape";
  EXPECT_EQ(Live()["version"], "final");
  EXPECT_EQ(ScalarIn("public_live", "SELECT count(*) FROM accounts WHERE name IS NULL"), "0");
  EXPECT_EQ(ScalarIn("public_live", "SELECT count(nickname) > 0 FROM accounts"), "t");
}

TEST_F(ReadSwitchTest, RollbackOfASwitchedMigrationFlipsBackFirstThenLeavesTheSchemaAsItWas) {
  std::string before = SchemaDump(url_);
  std::string migration = WriteMigration("02_name_required.yaml", kNameRequired);
  ASSERT_EQ(Tandem({"start", migration}).exit_code, 0);
  ASSERT_EQ(Tandem({"verify"}).exit_code, 0);
  ASSERT_EQ(Tandem({"switch"}).exit_code, 0);
  Exec(
      "SET search_path TO public_live, public; UPDATE accounts SET name = 'set live' WHERE id = 4");

  CommandResult first = Tandem({"rollback"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("run `tandem rollback` again"), std::string::npos) << first.out;
  EXPECT_EQ(Live()["version"], "old");
  EXPECT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "active");
  EXPECT_EQ(Scalar("SELECT name FROM accounts WHERE id = 4"), "set live")
      << "the old version sees the write made while switched";

  CommandResult second = Tandem({"rollback"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'public_live'"), "0");
  Exec("UPDATE accounts SET name = NULL WHERE id = 4");
  EXPECT_EQ(SchemaDump(url_), before);
}

TEST_F(ReadSwitchTest, TheLiveSchemaTakesWritesWithDefaultsAndReturningInEveryShape) {
  std::string migration = WriteMigration("02_name_required.yaml", kNameRequired);
  ASSERT_EQ(Tandem({"start", migration}).exit_code, 0);
  ASSERT_EQ(Tandem({"verify"}).exit_code, 0);
  auto write = [this](const std::string& email) {
    return ScalarIn("public_live", "INSERT INTO accounts (email, name) VALUES ('" + email +
                                       "', 'N') RETURNING score || '/' || (created_at IS NOT "
                                       "NULL) || '/' || (id > 2000)");
  };
  EXPECT_EQ(write("old@example.com"), "0/true/true");
  ASSERT_EQ(Tandem({"switch"}).exit_code, 0);
  EXPECT_EQ(write("new@example.com"), "0/true/true");
  EXPECT_EQ(ScalarIn("public_live",
                     "UPDATE accounts SET nickname = 'nick' WHERE email = 'new@example.com' "
                     "RETURNING nickname"),
            "nick");
  EXPECT_EQ(ScalarIn("public_live",
                     "DELETE FROM accounts WHERE email = 'old@example.com' RETURNING name"),
            "N");
  EXPECT_EQ(Scalar("SELECT count(*) FROM accounts WHERE email = 'old@example.com'"), "0");
}

}  // namespace
}  // namespace tandem::testing

namespace tandem::testing {
namespace {

// The next migration starts over the live schema the last complete left,
// and its rollback puts back exactly that.
TEST_F(ReadSwitchTest, RollbackOfTheNextMigrationKeepsTheLiveSchemaOfTheLastComplete) {
  ASSERT_EQ(Tandem({"start", "--complete", WriteMigration("02_name_required.yaml", kNameRequired)})
                .exit_code,
            0);
  std::string next = WriteMigration("03_rename.yaml", R"y(operations:
  - rename_column:
      table: accounts
      from: nickname
      to: handle
)y");
  std::string before = SchemaDump(url_);
  CommandResult start = Tandem({"start", next});
  ASSERT_EQ(start.exit_code, 0) << start.out << start.err;
  EXPECT_EQ(ScalarIn("public_live", "SELECT count(nickname) FROM accounts"), "1500");
  ASSERT_EQ(Tandem({"verify"}).exit_code, 0);
  ASSERT_EQ(Tandem({"switch"}).exit_code, 0);
  EXPECT_EQ(ScalarIn("public_live", "SELECT count(handle) FROM accounts"), "1500");
  CommandResult back = Tandem({"rollback"});
  ASSERT_EQ(back.exit_code, 0) << back.out << back.err;
  CommandResult rollback = Tandem({"rollback"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.out << rollback.err;
  EXPECT_EQ(SchemaDump(url_), before);
}

}  // namespace
}  // namespace tandem::testing
