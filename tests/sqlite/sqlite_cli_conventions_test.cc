// Conventions of the command line itself, through the real binary: what
// --version prints, how a mistyped command is answered, and how durations
// are read.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <vector>

#include "sqlite/sqlite_fixture.h"

namespace tandem::testing {
namespace {

class CliConventionsTest : public SqliteTest {};

// Every line of `out` as a JSON object; fails the test on a line that is not one.
std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> objects;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    EXPECT_TRUE(object.is_object()) << "not a JSON object on one line: " << line;
    objects.push_back(object);
  }
  return objects;
}

bool IsRfc3339(const nlohmann::json& value) {
  static const std::regex kRfc3339(
      R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))");
  return value.is_string() && std::regex_match(value.get<std::string>(), kRfc3339);
}

TEST_F(CliConventionsTest, VersionPrintsNameAndProjectVersion) {
  auto result = Tandem({"--version"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(result.out, std::string("tandem ") + TANDEM_VERSION + "\n") << result.err;
}

TEST_F(CliConventionsTest, UnknownCommandNamesItAndTheClosestOne) {
  auto result = Tandem({"plna", "migration.yaml"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("unknown command \"plna\""), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("did you mean \"plan\"?"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("tandem --help"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("A subcommand is required"), std::string::npos) << result.err;
}

TEST_F(CliConventionsTest, UnknownCommandFarFromAnyPointsToHelp) {
  // Global options before it are skipped, their values included.
  auto result = Tandem({"--schema", "public", "frobnicate"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("unknown command \"frobnicate\""), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("did you mean"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("tandem --help"), std::string::npos) << result.err;
}

TEST_F(CliConventionsTest, MissingCommandPointsToHelp) {
  auto result = Tandem({"-v"});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("tandem --help"), std::string::npos) << result.err;
}

TEST_F(CliConventionsTest, BareNumberDurationIsRefusedWithAUnitHint) {
  CreateUsers(3);
  std::string schema = Schema();
  std::string file = WriteMigration("01.yaml", kUsersAddNickname);
  auto result = Tandem({"--lock-timeout", "5", "start", file});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("invalid duration \"5\": give a unit, e.g. 5s or 500ms"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(Schema(), schema);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tandem%'"), "0");
}

TEST_F(CliConventionsTest, BareNumberDurationInTheFileIsRefused) {
  CreateUsers(3);
  std::string schema = Schema();
  std::string file = WriteMigration(
      "01.yaml", std::string(kUsersAddNickname) + "backfill:\n  target_chunk_time: 200\n");
  auto result = Tandem({"start", file});
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_NE(result.err.find("target_chunk_time"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("give a unit, e.g. 200s or 500ms"), std::string::npos) << result.err;
  EXPECT_EQ(Schema(), schema);
}

TEST_F(CliConventionsTest, CompoundAndFractionalDurationsAreAccepted) {
  CreateUsers(3);
  std::string file = WriteMigration(
      "01.yaml", std::string(kUsersAddNickname) + "backfill:\n  target_chunk_time: 0.25s\n");
  auto result = Tandem({"--lock-timeout", "1.5s", "--lock-deadline", "1h30m", "start", file,
                        "--target-chunk-time", "1m0.5s"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pragma_table_info('users') WHERE name = "
                   "'_tandem_new_nickname' OR name = 'nickname'"),
            "1");
}

TEST_F(CliConventionsTest, JsonIsJsonLinesEverywhere) {
  CreateUsers(3);
  std::string file = WriteMigration("01.yaml", kUsersAddNickname);

  auto plan = Tandem({"--json", "plan", file});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  ASSERT_EQ(JsonLines(plan.out).size(), 1u) << plan.out;

  auto start = Tandem({"--json", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  auto events = JsonLines(start.out);
  ASSERT_FALSE(events.empty());
  for (const auto& event : events) {
    EXPECT_TRUE(event.contains("event")) << event;
    EXPECT_TRUE(IsRfc3339(event["time"])) << "no RFC 3339 time: " << event;
  }

  auto status = Tandem({"--json", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto shown = JsonLines(status.out);
  ASSERT_EQ(shown.size(), 1u) << status.out;
  const auto& active = shown[0]["active"];
  ASSERT_TRUE(active.is_object()) << status.out;
  EXPECT_TRUE(IsRfc3339(active["started_at"])) << active;
  // Not completed, not rolled back: no value, so null rather than "".
  EXPECT_TRUE(active["completed_at"].is_null()) << active;
  EXPECT_TRUE(active["rolled_back_at"].is_null()) << active;

  ASSERT_EQ(Tandem({"complete"}).exit_code, 0);
  ASSERT_EQ(Tandem({"start", WriteMigration("02.yaml", R"y(operations:
  - add_column:
      table: users
      column: {name: motto, type: text, nullable: true}
)y")})
                .exit_code,
            0);
  auto history = Tandem({"--json", "history"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  auto migrations = JsonLines(history.out);
  ASSERT_EQ(migrations.size(), 2u) << "one line per migration: " << history.out;
  for (const auto& migration : migrations) {
    EXPECT_TRUE(migration["name"].is_string()) << migration;
    EXPECT_TRUE(IsRfc3339(migration["started_at"])) << migration;
  }
}

TEST_F(CliConventionsTest, LogLinesCarryATimeAndJsonLogsAreOneObjectPerLine) {
  CreateUsers(3);
  std::string file = WriteMigration("01.yaml", kUsersAddNickname);
  auto start = Tandem({"-v", "--log-format", "json", "start", file});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  auto records = JsonLines(start.err);
  ASSERT_FALSE(records.empty()) << "-v logs each step";
  for (const auto& record : records) {
    EXPECT_TRUE(IsRfc3339(record["time"])) << record;
    EXPECT_TRUE(record["level"].is_string()) << record;
    EXPECT_TRUE(record["message"].is_string()) << record;
  }

  auto rollback = Tandem({"-v", "rollback"});
  ASSERT_EQ(rollback.exit_code, 0) << rollback.err;
  static const std::regex kTimedLine(
      R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z (debug|info) .*)");
  std::smatch match;
  std::string first_line = rollback.err.substr(0, rollback.err.find('\n'));
  EXPECT_TRUE(std::regex_match(first_line, match, kTimedLine)) << first_line;

  auto bad = Tandem({"--log-format", "xml", "status"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
}

// A migration whose backfill has work on every row.
constexpr char kUsersAddNameLength[] = R"y(operations:
  - add_column:
      table: users
      column: {name: name_length, type: INTEGER, nullable: true}
      up: length(name)
)y";

TEST_F(CliConventionsTest, AClosedOutputPipeDoesNotStopTheBackfill) {
  CreateUsers(20000);
  std::string file = WriteMigration("01.yaml", kUsersAddNameLength);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);  // nobody reads: the first write fails with EPIPE
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL);  // what a shell gives a command it starts
    dup2(fds[1], STDOUT_FILENO);
    execl(TANDEM_BINARY, TANDEM_BINARY, "--url", url_.c_str(), "start", file.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_FALSE(WIFSIGNALED(status)) << "ended by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM users WHERE name_length IS NOT length(name)"), "0");
}

TEST_F(CliConventionsTest, ProgressOffATerminalIsTimedAndSparse) {
  CreateUsers(300000);
  std::string file = WriteMigration("01.yaml", kUsersAddNameLength);
  auto start = Tandem({"start", "--target-chunk-time", "5ms", file});
  ASSERT_EQ(start.exit_code, 0) << start.err;
  static const std::regex kTimedProgress(
      R"(  \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z users: .* rows/s.*)");
  int progress_lines = 0;
  std::istringstream lines(start.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("rows/s") == std::string::npos) continue;
    ++progress_lines;
    EXPECT_TRUE(std::regex_match(line, kTimedProgress)) << line;
  }
  // The backfill's own duration bounds the count: one line every 5 s at
  // most, plus the first and the last.
  EXPECT_GE(progress_lines, 1) << start.out;
  EXPECT_LE(progress_lines, 4) << start.out;
}

}  // namespace
}  // namespace tandem::testing
