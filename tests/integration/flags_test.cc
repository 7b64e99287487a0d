// Feature flags on a real PostgreSQL through the real binary: the commands
// (the checks shared with SQLite, support/flag_cli.h); the same decision
// from tandem.flag() on PostgreSQL, from the query `tandem flag sql` prints
// on a real SQLite file, and from the C++ reference, for 10,000 subjects at
// 1%, 10% and 50%; and the example application (examples/flag_ramp) run as
// a real client with psycopg2.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "backends/sqlite/sqlite_connection.h"
#include "common/flag_decision.h"
#include "common/strings.h"
#include "integration/pg_fixture.h"
#include "support/flag_cli.h"
#include "support/users_migrations.h"

namespace tandem::testing {
namespace {

constexpr char kUsers[] = "CREATE TABLE users (id serial PRIMARY KEY, name text)";

// Subjects as applications have them: ids, and text in every UTF-8 length.
std::vector<std::string> Subjects() {
  std::vector<std::string> subjects = {"",        "Zo\u00eb", "\u65e5\u672c\u8a9e",  "\U0001F600",
                                       "O'Brien", "a:b",      std::string(300, 'z'), "\u00df \t"};
  for (int i = static_cast<int>(subjects.size()) + 1; i <= 10000; ++i) {
    subjects.push_back("user-" + std::to_string(i));
  }
  return subjects;
}

class FlagsTest : public PgTest {
 protected:
  void StartMigration() {
    Exec(kUsers);
    auto started = Tandem({"start", WriteMigration("02_nickname.yaml", kUsersAddNickname)});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }
};

TEST_F(FlagsTest, RefusedWithoutAMigrationInProgress) {
  ExpectFlagCommandsRefusedWithoutMigration(url_);
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'tandem'"), "0");
}

TEST_F(FlagsTest, SetGetHistoryAndBadInput) {
  ASSERT_NO_FATAL_FAILURE(StartMigration());
  ExpectBadFlagInputRejected(url_);
  ExpectFlagSetGetHistory(url_, "02_nickname");
  EXPECT_EQ(Scalar("SELECT string_agg(description, ', ' ORDER BY id) FROM tandem.events "
                   "WHERE kind = 'flag' AND phase = 'switch'"),
            "read_new 10%, read_new 0.5%, read_new 50%, write_new 100%");
}

TEST_F(FlagsTest, AStateSchemaFromBeforeFlagsGetsTheTableAndFunction) {
  ASSERT_NO_FATAL_FAILURE(StartMigration());
  Exec("DROP FUNCTION tandem.flag(text, text, text); DROP TABLE tandem.flags");
  auto set = Tandem({"flag", "set", "read_new", "100%"});
  ASSERT_EQ(set.exit_code, 0) << set.out << set.err;
  EXPECT_EQ(Scalar("SELECT tandem.flag('read_new', 'anyone')"), "t");
}

TEST_F(FlagsTest, FunctionOfAnotherSchemaAndOfAFinishedMigrationSelectsNobody) {
  ASSERT_NO_FATAL_FAILURE(StartMigration());
  ASSERT_EQ(Tandem({"flag", "set", "read_new", "100%"}).exit_code, 0);
  EXPECT_EQ(Scalar("SELECT tandem.flag('read_new', 'u1', 'public')"), "t");
  EXPECT_EQ(Scalar("SELECT tandem.flag('read_new', 'u1', 'other')"), "f");
  EXPECT_EQ(Scalar("SELECT tandem.flag('write_new', 'u1')"), "f");  // never set
  EXPECT_EQ(Scalar("SELECT tandem.flag('read_new', NULL)"), "f");
  ASSERT_EQ(Tandem({"complete"}).exit_code, 0);
  EXPECT_EQ(Scalar("SELECT tandem.flag('read_new', 'u1')"), "f");
  auto refused = Tandem({"flag", "set", "read_new", "10%"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
}

// Decisions per subject, in the order of Subjects().
using Decisions = std::vector<bool>;

class FlagDecisionTest : public FlagsTest {
 protected:
  void SetUpDatabase() override {
    ASSERT_NO_FATAL_FAILURE(StartMigration());
    sqlite_path_ = TempDir() + "/" + db_name_ + ".db";
    std::remove(sqlite_path_.c_str());
    backend::sqlite::OpenOptions options;
    options.create = true;
    auto conn = backend::sqlite::SqliteConnection::Open(sqlite_path_, options);
    ASSERT_TRUE(conn.ok()) << conn.status().message();
    sqlite_ = std::move(*conn);
    ASSERT_TRUE(sqlite_->Execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)").ok());
    auto started = OnSqlite({"start", WriteMigration("02_nickname.yaml", kUsersAddNickname)});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }
  void TearDown() override {
    sqlite_.reset();
    std::remove(sqlite_path_.c_str());
    FlagsTest::TearDown();
  }
  CommandResult OnSqlite(const std::vector<std::string>& args) {
    return RunTandem("sqlite:" + sqlite_path_, args);
  }

  Decisions FromPostgres(const std::vector<std::string>& subjects) {
    auto conn = Connect();
    auto rows = conn->Query(
        "SELECT tandem.flag('read_new', s) FROM unnest(string_to_array($1, E'\\n')) WITH "
        "ORDINALITY AS u(s, n) ORDER BY n",
        {Join(subjects, "\n")});
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    Decisions out;
    if (rows.ok()) {
      for (const auto& r : rows->rows) out.push_back(r[0] == backend::Value("t"));
    }
    return out;
  }

  // With the query `tandem flag sql` prints, one subject at a time as an
  // application asks; bound by the names tandem's connection uses.
  Decisions FromSqlite(const std::vector<std::string>& subjects) {
    std::string query = ReplaceAll(ReplaceAll(FlagQuery("sqlite:" + sqlite_path_), ":flag", "$1"),
                                   ":subject", "$2");
    Decisions out;
    for (const auto& subject : subjects) {
      auto rows = sqlite_->Query(query, {"read_new", subject});
      EXPECT_TRUE(rows.ok()) << rows.status().message();
      if (!rows.ok()) return out;
      out.push_back(rows->Scalar() == backend::Value("1"));
    }
    return out;
  }

  std::string sqlite_path_;
  std::unique_ptr<backend::Connection> sqlite_;
};

TEST_F(FlagDecisionTest, SameOnBothEnginesAsTheReferenceAndMonotone) {
  const std::vector<std::string> subjects = Subjects();
  Decisions previous(subjects.size(), false);
  for (const char* share : {"1%", "10%", "50%"}) {
    ASSERT_EQ(Tandem({"flag", "set", "read_new", share}).exit_code, 0);
    ASSERT_EQ(OnSqlite({"flag", "set", "read_new", share}).exit_code, 0);
    int basis_points = *ParseFlagShare(share);
    Decisions postgres = FromPostgres(subjects);
    Decisions sqlite = FromSqlite(subjects);
    ASSERT_EQ(postgres.size(), subjects.size());
    ASSERT_EQ(sqlite.size(), subjects.size());
    int in = 0;
    int differ = 0;
    for (size_t i = 0; i < subjects.size(); ++i) {
      bool reference = FlagSelects("read_new", subjects[i], basis_points);
      if (postgres[i] != reference || sqlite[i] != reference) {
        if (++differ <= 5) {
          ADD_FAILURE() << share << " \"" << subjects[i] << "\": reference " << reference
                        << ", PostgreSQL " << postgres[i] << ", SQLite " << sqlite[i];
        }
      }
      EXPECT_TRUE(postgres[i] || !previous[i]) << subjects[i] << " left the ramp at " << share;
      in += postgres[i];
    }
    EXPECT_EQ(differ, 0) << share;
    double measured = 100.0 * in / static_cast<double>(subjects.size());
    EXPECT_NEAR(measured, basis_points / 100.0, 1.0) << share;
    std::cout << "[ share    ] " << share << " of " << subjects.size() << " subjects: " << in
              << " in (" << measured << "%), the same on PostgreSQL, SQLite and C++\n";
    previous = postgres;
  }
}

// ---- the example application ----------------------------------------------

constexpr char kProfiles[] = R"sql(
CREATE TABLE profiles (user_id text PRIMARY KEY, name text);
INSERT INTO profiles SELECT 'user-' || i, 'name of user ' || i FROM generate_series(1, 200) i;
)sql";
constexpr char kNewSchema[] = "public_03_profiles_display_name";
constexpr int kProfileCount = 200;

class FlagExampleTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(kProfiles);
    auto started = Tandem({"start", Example("03_profiles_display_name.yaml")});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }
  static std::string Example(const std::string& file) {
    return std::string(TANDEM_SOURCE_DIR) + "/examples/flag_ramp/" + file;
  }
  // Runs the application; one JSON object per line of its output.
  std::vector<nlohmann::json> App(const std::vector<std::string>& args) {
    // Debian's interpreter, the one python3-psycopg2 (scripts/install-deps.sh)
    // installs the driver for, whatever other python3 is first on the PATH.
    std::string command = "/usr/bin/python3 " + ShellQuote(Example("profiles_app.py")) + " " +
                          ShellQuote(url_) + " " + kNewSchema;
    for (const auto& arg : args) command += " " + ShellQuote(arg);
    int code = 0;
    std::string out = Capture(command + " 2>&1", code);
    EXPECT_EQ(code, 0) << command << "\n" << out;
    std::vector<nlohmann::json> lines;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      lines.push_back(nlohmann::json::parse(line, nullptr, false));
    }
    return lines;
  }
  static std::vector<std::string> Users() {
    std::vector<std::string> users;
    for (int i = 1; i <= kProfileCount; ++i) users.push_back("user-" + std::to_string(i));
    return users;
  }
};

TEST_F(FlagExampleTest, ReadsTheNewShapeForExactlyTheSubjectsTheFlagSelects) {
  ASSERT_EQ(Tandem({"flag", "set", "read_new", "30%"}).exit_code, 0);
  std::vector<nlohmann::json> read = App([] {
    std::vector<std::string> args = {"read"};
    for (const auto& user : Users()) args.push_back(user);
    return args;
  }());
  ASSERT_EQ(read.size(), static_cast<size_t>(kProfileCount));
  int on_new = 0;
  for (size_t i = 0; i < read.size(); ++i) {
    std::string user = Users()[i];
    bool selected = Scalar("SELECT tandem.flag('read_new', '" + user + "')") == "t";
    EXPECT_EQ(selected, FlagSelects("read_new", user, 3000)) << user;
    ASSERT_TRUE(read[i].is_object()) << read[i];
    EXPECT_EQ(read[i]["user_id"], user);
    // The shapes hold different text (initcap), so the value says where it came from.
    std::string old_name = "name of user " + std::to_string(i + 1);
    std::string new_name = ScalarIn(kNewSchema,
                                    "SELECT display_name FROM profiles WHERE "
                                    "user_id = '" +
                                        user + "'");
    ASSERT_NE(old_name, new_name);
    EXPECT_EQ(read[i]["shape"], selected ? "new" : "old") << user;
    EXPECT_EQ(read[i]["name"], selected ? new_name : old_name) << user;
    on_new += selected;
  }
  EXPECT_GT(on_new, 0);
  EXPECT_LT(on_new, kProfileCount);
}

TEST_F(FlagExampleTest, WritesReachBothShapesOnEitherSide) {
  ASSERT_EQ(Tandem({"flag", "set", "read_new", "50%"}).exit_code, 0);
  std::vector<std::string> sides[2];
  for (const auto& user : Users()) sides[FlagSelects("read_new", user, 5000)].push_back(user);
  ASSERT_FALSE(sides[0].empty());
  ASSERT_FALSE(sides[1].empty());
  for (const auto& user : {sides[0][0], sides[1][0], std::string("user-new")}) {
    std::vector<nlohmann::json> wrote = App({"write", user, "Ada Lovelace"});
    ASSERT_EQ(wrote.size(), 1u);
    EXPECT_EQ(wrote[0]["shape"], FlagSelects("read_new", user, 5000) ? "new" : "old") << user;
    std::string where = " FROM profiles WHERE user_id = '" + user + "'";
    EXPECT_EQ(Scalar("SELECT lower(name)" + where), "ada lovelace") << user;
    EXPECT_EQ(ScalarIn(kNewSchema, "SELECT display_name" + where), "Ada Lovelace") << user;
  }
  // At 100% every user reads the new shape.
  ASSERT_EQ(Tandem({"flag", "set", "read_new", "100%"}).exit_code, 0);
  for (const auto& line : App({"read", sides[0][0], sides[0][1]})) EXPECT_EQ(line["shape"], "new");
}

// The example application through the read switch's ramp: the file's
// `switch:` section moves read_new 10%, 50%, 100% while the window stays
// healthy; every read of every user succeeds, no user goes back to the old
// shape once on the new one, and at the end everyone reads the new shape.
TEST_F(FlagExampleTest, TheSwitchRampsTheApplicationsReadsUserByUser) {
  ASSERT_EQ(Tandem({"rollback"}).exit_code, 0);
  std::string windowed = ReadFile(Example("03_profiles_display_name.yaml")) +
                         "switch:\n  ramp: [10%, 50%, 100%]\n  step_every: 2s\n"
                         "  sample_every: 1s\n  flag: read_new\n";
  CommandResult started =
      Tandem({"start", WriteMigration("03_profiles_display_name.yaml", windowed)});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  ASSERT_EQ(Tandem({"verify"}).exit_code, 0);
  std::vector<std::string> read_everyone = {"read"};
  for (const auto& user : Users()) read_everyone.push_back(user);

  auto running = std::async(std::launch::async, [this] { return Tandem({"switch"}); });
  std::vector<bool> on_new(kProfileCount, false);
  std::set<int> shares;  // how many users read the new shape, per read of everyone
  while (running.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
    std::vector<nlohmann::json> read = App(read_everyone);
    ASSERT_EQ(read.size(), static_cast<size_t>(kProfileCount));
    int count = 0;
    for (int i = 0; i < kProfileCount; ++i) {
      bool is_new = read[i]["shape"] == "new";
      EXPECT_TRUE(is_new || !on_new[i]) << Users()[i] << " went back to the old shape";
      on_new[i] = is_new;
      count += is_new;
    }
    shares.insert(count);
  }
  CommandResult result = running.get();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_TRUE(std::any_of(shares.begin(), shares.end(), [](int n) {
    return n > 0 && n < kProfileCount;
  })) << "no read saw the ramp part-way";
  for (const auto& line : App(read_everyone)) EXPECT_EQ(line["shape"], "new") << line;
  EXPECT_EQ(Scalar("SELECT string_agg(description, ', ' ORDER BY id) FROM tandem.events WHERE "
                   "kind = 'flag' AND migration_id = (SELECT max(id) FROM tandem.migrations)"),
            "read_new 10%, read_new 50%, read_new 100%");
}

}  // namespace
}  // namespace tandem::testing
