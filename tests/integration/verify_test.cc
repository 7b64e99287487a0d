// Verification on a real server: each kind of planted defect is found with
// the right key, a clean migration verifies clean, and complete is gated.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/strings.h"
#include "integration/pg_fixture.h"
#include "support/verify_text.h"

namespace tandem::testing {
namespace {

constexpr char kAccounts[] = R"sql(
CREATE TABLE accounts (id bigserial PRIMARY KEY, owner text, balance integer NOT NULL);
INSERT INTO accounts (owner, balance)
  SELECT CASE WHEN i % 5 = 0 THEN NULL ELSE 'owner' || i END, i FROM generate_series(1, 20000) i;
)sql";

constexpr char kOwnerNotNull[] = R"y(operations:
  - alter_column:
      table: accounts
      column: owner
      nullable: false
      up: SELECT CASE WHEN owner IS NULL THEN 'nobody' ELSE owner END
      down: owner
verify:
  invariants:
    - {name: balance_not_negative, table: accounts, check: balance >= 0}
)y";

// Runs `sql` with the dual-write triggers disabled: a write tandem never saw.
constexpr char kBehindTheTriggersBack[] =
    "ALTER TABLE accounts DISABLE TRIGGER USER; %s; "
    "ALTER TABLE accounts ENABLE TRIGGER USER";

class VerifyTest : public PgTest {
 protected:
  void SetUpDatabase() override {
    Exec(kAccounts);
    file_ = WriteMigration("02_owner.yaml", kOwnerNotNull);
  }
  void Tamper(const std::string& sql) { Exec(ReplaceAll(kBehindTheTriggersBack, "%s", sql)); }
  int PassesRecorded() { return std::stoi(Scalar("SELECT count(*) FROM tandem.verify_runs")); }
  // Waits (up to a minute) until `n` passes are recorded. Right after one is,
  // --watch waits for its next pass, so an interrupt then ends it cleanly.
  bool WaitForPasses(int n) {
    for (int i = 0; i < 600 && PassesRecorded() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return PassesRecorded() >= n;
  }
  // Starts migration `name` adding to accounts each of `columns`: its `up`
  // and its column definition.
  void StartAddingColumns(const std::string& name,
                          const std::vector<std::pair<std::string, std::string>>& columns) {
    std::string yaml = "operations:\n";
    for (const auto& [up, column] : columns) {
      yaml += "  - add_column:\n      table: accounts\n      up: " + up +
              "\n      column: " + column + "\n";
    }
    CommandResult started = Tandem({"start", WriteMigration(name, yaml)});
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  }
  // `tandem verify --json`: exit code and the parsed report.
  std::pair<int, nlohmann::json> VerifyJson(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--json", "verify"};
    args.insert(args.end(), extra.begin(), extra.end());
    CommandResult result = Tandem(args);
    nlohmann::json report;
    for (const auto& line : Split(result.out, '\n')) {
      if (line.find("\"parity_percent\"") != std::string::npos)
        report = nlohmann::json::parse(line);
    }
    EXPECT_FALSE(report.is_null()) << result.out << result.err;
    return {result.exit_code, report};
  }
  std::string file_;
};

// Consistent chunks are counted cheaply and the others in detail: the totals
// of a table with one bad row in one chunk add up across both kinds.
TEST_F(VerifyTest, TotalsAddUpAcrossConsistentAndDetailedChunks) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  Exec("SET search_path TO public_02_owner; UPDATE accounts SET owner = 'v2' WHERE id <= 10");
  Tamper("UPDATE accounts SET _tandem_new_owner = 'tampered' WHERE id = 15000");
  auto [code, report] = VerifyJson({"--chunk-blocks", "8"});
  EXPECT_EQ(code, 1) << report.dump(2);
  EXPECT_EQ(report["rows"], 20000);
  EXPECT_EQ(report["parity"][0]["checked"], 19990);
  EXPECT_EQ(report["parity"][0]["mismatches"], 1);
  EXPECT_EQ(report["parity"][0]["example_keys"][0], "15000");
  EXPECT_EQ(report["parity"][1]["checked"], 10);
  EXPECT_EQ(report["parity"][1]["mismatches"], 0);
  // 1 in 5 owners is NULL: `up` makes them 'nobody', except the 10 rows the
  // new version rewrote and the tampered one; the new column holds no NULL.
  EXPECT_EQ(report["drift"][0]["null_ratio"], 0.0);
  EXPECT_EQ(report["drift"][0]["expected_null_ratio"], 0.0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM accounts WHERE _tandem_new_owner = 'nobody'"), "3997");
}

// --one-query counts a consistent table in one whole-table query: the same
// totals as the chunks give.
TEST_F(VerifyTest, OneQueryGivesTheTotalsOfTheChunks) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  Exec("SET search_path TO public_02_owner; UPDATE accounts SET owner = 'v2' WHERE id <= 10");
  auto [code, report] = VerifyJson({"--one-query"});
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_EQ(report["rows"], 20000);
  EXPECT_EQ(report["parity"][0]["checked"], 19990);
  EXPECT_EQ(report["parity"][1]["checked"], 10);
  EXPECT_EQ(report["drift"][0]["null_ratio"], 0.0);
  EXPECT_EQ(report["drift"][0]["expected_null_ratio"], 0.0);
}

// When the one query finds a row that is not consistent, the chunks are
// scanned as without it and report the key and its range.
TEST_F(VerifyTest, OneQueryLeavesFindingWhereToTheChunks) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  Tamper("UPDATE accounts SET _tandem_new_owner = 'tampered' WHERE id = 15000");
  auto [code, report] = VerifyJson({"--one-query", "--chunk-blocks", "8"});
  EXPECT_EQ(code, 1) << report.dump(2);
  EXPECT_EQ(report["rows"], 20000);
  EXPECT_EQ(report["parity"][0]["checked"], 20000);
  EXPECT_EQ(report["parity"][0]["mismatches"], 1);
  EXPECT_EQ(report["parity"][0]["example_keys"], nlohmann::json::array({"15000"}));
  EXPECT_EQ(report["parity"][0]["key_ranges"], nlohmann::json::array({"15000..15000"}));
}

// The scans obey the backfill's throttle: held by a probe, then stopped by
// --backfill-max-runtime, the pass is reported incomplete (exit 3) with the reason.
TEST_F(VerifyTest, ScansWaitWhileTheThrottleHoldsAndStopAtMaxRuntime) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  auto started = std::chrono::steady_clock::now();
  CommandResult held = Tandem({"verify", "--throttle-query", "SELECT 7", "--throttle-above", "5",
                               "--backfill-max-runtime", "2s"});
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(held.exit_code, 3) << held.out << held.err;
  std::string said = held.out + held.err;
  EXPECT_NE(said.find("verify waits: "), std::string::npos) << said;
  EXPECT_NE(said.find("throttle"), std::string::npos) << said;
  EXPECT_GE(seconds, 2.0) << "the scan did not wait for the throttle";
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.verify_runs WHERE passed"), "0");
  // Released, the same pass goes through.
  EXPECT_EQ(Tandem({"verify", "--throttle-query", "SELECT 1", "--throttle-above", "5"}).exit_code,
            0);
}

TEST_F(VerifyTest, CleanMigrationVerifiesClean) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  Exec("INSERT INTO accounts (owner, balance) VALUES (NULL, 5)");
  Exec(
      "SET search_path TO public_02_owner; INSERT INTO accounts (owner, balance) VALUES ('v2', 7)");
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_EQ(report["flags"], 0);
  EXPECT_EQ(report["parity_percent"], 100.0);
  EXPECT_EQ(report["rows"], 20002);
  // Each direction checks the rows its version wrote.
  EXPECT_EQ(report["parity"][0]["direction"], "up");
  EXPECT_EQ(report["parity"][0]["checked"], 20001);
  EXPECT_EQ(report["parity"][1]["direction"], "down");
  EXPECT_EQ(report["parity"][1]["checked"], 1);
  EXPECT_EQ(report["drift"][0]["null_ratio"], 0.0);
  EXPECT_EQ(report["drift"][0]["expected_null_ratio"], 0.0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.verify_runs WHERE passed AND full_scan"), "1");
  CommandResult status = Tandem({"--json", "status"});
  ASSERT_EQ(status.exit_code, 0);
  auto shown = nlohmann::json::parse(status.out);
  EXPECT_EQ(shown["last_verify"]["passed"], true) << status.out;
  EXPECT_EQ(shown["last_verify"]["rows"], 20002);
}

// An empty table is in parity without evaluating `up`: a constant no
// integer takes would fail on any row, and there is none, so `verify` and
// `complete` (which verifies by itself) go through.
TEST_F(VerifyTest, AnEmptyTableVerifiesWithoutEvaluatingUp) {
  Exec("CREATE TABLE tallies (id bigserial PRIMARY KEY, label text)");
  CommandResult started = Tandem({"start", WriteMigration("03_tally.yaml", R"y(operations:
  - add_column:
      table: tallies
      up: "'not a number'"
      column: {name: tally, type: integer, nullable: false}
)y")});
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  auto [code, report] = VerifyJson({"--one-query"});
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_EQ(report["rows"], 0);
  EXPECT_EQ(report["parity"][0]["checked"], 0);
  auto [chunked_code, chunked] = VerifyJson();
  EXPECT_EQ(chunked_code, 0) << chunked.dump(2);
  Exec("DELETE FROM tandem.verify_runs");  // complete verifies by itself
  CommandResult completed = Tandem({"complete"});
  ASSERT_EQ(completed.exit_code, 0) << completed.out << completed.err;
  EXPECT_NE(completed.out.find("verifying now"), std::string::npos) << completed.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM tallies WHERE tally IS NULL"), "0");
}

TEST_F(VerifyTest, ARowChangedBehindTheTriggersBackIsFoundByKeyAndBlocksCompleteUntilRepaired) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  Tamper("UPDATE accounts SET _tandem_new_owner = 'tampered' WHERE id = 4242");
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["flags"].get<int>() & 1, 1) << report.dump(2);
  const auto& parity = report["parity"][0];
  EXPECT_EQ(parity["direction"], "up");
  EXPECT_EQ(parity["mismatches"], 1);
  EXPECT_EQ(parity["example_keys"], nlohmann::json::array({"4242"}));
  CommandResult refused = Tandem({"complete"});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("verification"), std::string::npos) << refused.err;
  EXPECT_EQ(Scalar("SELECT phase FROM tandem.migrations"), "active");
  auto [repaired_code, repaired] = VerifyJson({"--repair"});
  EXPECT_EQ(repaired_code, 0) << repaired.dump(2);
  EXPECT_EQ(Scalar("SELECT _tandem_new_owner FROM accounts WHERE id = 4242"), "owner4242");
  CommandResult complete = Tandem({"complete"});
  EXPECT_EQ(complete.exit_code, 0) << complete.err;
}

TEST_F(VerifyTest, AnOldColumnChangedBehindTheTriggersBackIsFoundInTheDownDirection) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  Exec("SET search_path TO public_02_owner; UPDATE accounts SET owner = 'v2 owner' WHERE id = 77");
  Tamper("UPDATE accounts SET owner = 'stale' WHERE id = 77");
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 1);
  bool found = false;
  for (const auto& p : report["parity"]) {
    if (p["direction"] == "down" && p["mismatches"] == 1) {
      EXPECT_EQ(p["example_keys"], nlohmann::json::array({"77"}));
      found = true;
    }
  }
  EXPECT_TRUE(found) << report.dump(2);
  EXPECT_EQ(VerifyJson({"--repair"}).first, 0);
  EXPECT_EQ(Scalar("SELECT owner FROM accounts WHERE id = 77"), "v2 owner");
}

TEST_F(VerifyTest, NullDriftIsFlagged) {
  StartAddingColumns("03_shout.yaml",
                     {{"upper(owner)", "{name: shout, type: text, nullable: true}"}});
  // 20% of owners are NULL, so 20% of `shout` should be; make it 30%.
  Tamper("UPDATE accounts SET _tandem_new_shout = NULL WHERE id % 10 = 1");
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["flags"].get<int>() & 4, 4) << report.dump(2);
  EXPECT_EQ(report["drift"][0]["column"], "_tandem_new_shout");
  EXPECT_TRUE(report["drift"][0]["flagged"].get<bool>());
  EXPECT_NEAR(report["drift"][0]["null_ratio"].get<double>(), 0.3, 0.001);
  EXPECT_NEAR(report["drift"][0]["expected_null_ratio"].get<double>(), 0.2, 0.001);
}

TEST_F(VerifyTest, DefaultValueDriftIsFlagged) {
  ASSERT_EQ(Tandem({"start", WriteMigration("03_tier.yaml", R"y(operations:
  - add_column:
      table: accounts
      up: CASE WHEN balance > 15000 THEN 'gold' ELSE 'basic' END
      column: {name: tier, type: text, default: "'basic'"}
)y")})
                .exit_code,
            0);
  // A quarter of the rows are gold; flatten them all to the default.
  Tamper("UPDATE accounts SET _tandem_new_tier = 'basic'");
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["flags"].get<int>() & 4, 4) << report.dump(2);
  const auto& drift = report["drift"][0];
  EXPECT_EQ(drift["default_value"], "'basic'::text");
  EXPECT_NEAR(drift["default_ratio"].get<double>(), 1.0, 0.001);
  EXPECT_NEAR(drift["expected_default_ratio"].get<double>(), 0.75, 0.001);
  EXPECT_TRUE(drift["flagged"].get<bool>());
}

TEST_F(VerifyTest, InvariantViolationsAreCountedWithExamples) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  Exec("UPDATE accounts SET balance = -5 WHERE id IN (10, 11)");
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["flags"], 8) << report.dump(2);
  EXPECT_EQ(report["invariants"][0]["name"], "balance_not_negative");
  EXPECT_EQ(report["invariants"][0]["violations"], 2);
  EXPECT_EQ(report["invariants"][0]["example_keys"].size(), 2u);
}

// Before the backfill has finished, verify says so with its own flag and
// message instead of failing the rows it has not reached: exit 1, as for
// every gate that refuses until the backfill is done.
TEST_F(VerifyTest, VerifyBeforeTheBackfillFinishedSaysSo) {
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file_}).exit_code, 0);
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["flags"], 32) << report.dump(2);
  EXPECT_EQ(report["flag_names"], nlohmann::json::array({"backfill_unfinished"}));
  EXPECT_EQ(report["not_backfilled"], 20000);
  CommandResult text = Tandem({"verify"});
  ExpectBackfillNotFinished(text, 20000);
  EXPECT_NE(text.out.find("parity 100.0000% (threshold 100.0000%) over the 0 rows reached"),
            std::string::npos)
      << text.out;
  CommandResult status = Tandem({"status"});
  EXPECT_NE(status.out.find("last verification: backfill not finished"), std::string::npos)
      << status.out;
  ASSERT_EQ(Tandem({"backfill"}).exit_code, 0);
  EXPECT_EQ(VerifyJson().first, 0);
}

// Rows the backfill has reached are still compared while it is unfinished:
// a mismatch among them fails the pass, with both flags.
TEST_F(VerifyTest, AMismatchAmongReachedRowsFailsWhileTheBackfillIsUnfinished) {
  ASSERT_EQ(Tandem({"start", "--skip-backfill", file_}).exit_code, 0);
  Exec("UPDATE accounts SET balance = balance WHERE id <= 100");  // synced by the trigger
  Tamper("UPDATE accounts SET _tandem_new_owner = 'tampered' WHERE id = 42");
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 1);
  EXPECT_EQ(report["flags"], 1 | 32) << report.dump(2);
  EXPECT_EQ(report["not_backfilled"], 19900);
  EXPECT_EQ(report["parity_percent"], 99.0);
  EXPECT_EQ(report["parity"][0]["example_keys"], nlohmann::json::array({"42"}));
}

TEST_F(VerifyTest, SampleStatesItsConfidence) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  auto [code, report] = VerifyJson({"--sample", "50%"});
  EXPECT_EQ(code, 0);
  EXPECT_FALSE(report["full"].get<bool>());
  EXPECT_EQ(report["sample_percent"], 50.0);
  EXPECT_GT(report["rows"].get<long long>(), 0);
  EXPECT_LT(report["rows"].get<long long>(), 20000);
  EXPECT_GT(report["confidence_low"].get<double>(), 99.0);
  EXPECT_LT(report["confidence_low"].get<double>(), 100.0);
  // A sample does not open the gate of complete: it verifies in full itself.
  CommandResult complete = Tandem({"complete"});
  EXPECT_EQ(complete.exit_code, 0) << complete.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM tandem.verify_runs WHERE full_scan"), "1");
}

TEST_F(VerifyTest, ForcedCompleteIsRecordedWithItsReason) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  Tamper("UPDATE accounts SET _tandem_new_owner = 'x' WHERE id = 5");
  EXPECT_EQ(Tandem({"complete", "--force"}).exit_code, 2) << "--force needs --reason";
  CommandResult forced = Tandem({"complete", "--force", "--reason", "row 5 is test data"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(Scalar("SELECT detail FROM tandem.events WHERE kind = 'forced'"),
            "reason: row 5 is test data");
}

TEST_F(VerifyTest, VolatileUpExpressionsAreReportedNotCompared) {
  ASSERT_EQ(Tandem({"start", WriteMigration("03_token.yaml", R"y(operations:
  - add_column:
      table: accounts
      column: {name: token, type: uuid, default: gen_random_uuid()}
)y")})
                .exit_code,
            0);
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 0) << report.dump(2);
  EXPECT_NE(report["parity"][0]["skipped_because"].get<std::string>().find("gen_random_uuid"),
            std::string::npos);
}

// length(text) is immutable although another overload of length is not: the
// function PostgreSQL resolves decides, so the column is compared and a
// planted mismatch fails the pass.
TEST_F(VerifyTest, AnUpCallingAnImmutableOverloadIsCompared) {
  StartAddingColumns("03_owner_length.yaml",
                     {{"length(owner)", "{name: owner_length, type: integer, nullable: true}"}});
  Tamper("UPDATE accounts SET _tandem_new_owner_length = 99 WHERE id = 123");
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 1) << report.dump(2);
  EXPECT_EQ(report["flags"].get<int>() & 1, 1) << report.dump(2);
  const auto& parity = report["parity"][0];
  EXPECT_EQ(parity["skipped_because"], "") << report.dump(2);
  EXPECT_EQ(parity["checked"], 20000);
  EXPECT_EQ(parity["mismatches"], 1);
  EXPECT_EQ(parity["example_keys"], nlohmann::json::array({"123"}));
}

// What changes from call to call is still reported, not compared, named by
// the functions PostgreSQL resolved; an expression PostgreSQL would not index
// (it reads the clock) is not compared either.
TEST_F(VerifyTest, UpsReadingTheClockOrRandomnessAreReportedNotCompared) {
  StartAddingColumns("03_stamps.yaml",
                     {{"now()", "{name: seen_at, type: timestamptz, nullable: true}"},
                      {"gen_random_uuid()", "{name: token, type: uuid, nullable: true}"},
                      {"CURRENT_TIMESTAMP::text", "{name: seen_text, type: text, nullable: true}"},
                      {"\"'#' || balance\"", "{name: tag, type: text, nullable: true}"}});
  auto [code, report] = VerifyJson();
  EXPECT_EQ(code, 0) << report.dump(2);
  ASSERT_EQ(report["parity"].size(), 4u) << report.dump(2);
  std::map<std::string, std::string> skipped;
  for (const auto& p : report["parity"]) {
    skipped[p["column"].get<std::string>()] = p["skipped_because"].get<std::string>();
  }
  EXPECT_NE(skipped["_tandem_new_seen_at"].find("(now)"), std::string::npos) << report.dump(2);
  EXPECT_NE(skipped["_tandem_new_token"].find("(gen_random_uuid)"), std::string::npos);
  EXPECT_NE(skipped["_tandem_new_seen_text"], "") << report.dump(2);
  // text || integer resolves to textanycat, which PostgreSQL marks STABLE.
  EXPECT_NE(skipped["_tandem_new_tag"].find("textanycat"), std::string::npos) << report.dump(2);
}

TEST_F(VerifyTest, WatchRechecksOnlyRecentWritesUntilInterrupted) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  CommandResult watch;
  std::thread runner([&] { watch = Tandem({"--json", "verify", "--watch", "1s"}); });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  Exec("INSERT INTO accounts (owner, balance) VALUES ('late', 1)");
  bool seen = WaitForPasses(PassesRecorded() + 1);
  // Interrupt tandem itself (anchored on its path), not the shell around it.
  std::string interrupt =
      std::string("pkill -INT -f '^") + TANDEM_BINARY + " --json verify --watch'";
  ASSERT_EQ(std::system(interrupt.c_str()), 0);
  runner.join();
  ASSERT_TRUE(seen) << watch.out << watch.err;
  EXPECT_EQ(watch.exit_code, 0) << watch.err;
  std::vector<nlohmann::json> passes;
  for (const auto& line : Split(watch.out, '\n')) {
    if (line.find("\"parity_percent\"") != std::string::npos) {
      passes.push_back(nlohmann::json::parse(line));
    }
  }
  ASSERT_GE(passes.size(), 2u) << watch.out;
  EXPECT_TRUE(passes[0]["full"].get<bool>());
  EXPECT_FALSE(passes[1]["full"].get<bool>());
  EXPECT_LT(passes.back()["rows"].get<long long>(), 100) << "later passes look at recent rows";
}

// A mismatch an earlier pass found is reported by every later pass of
// --watch (and by status) until a pass sees the row fixed, although later
// passes look only at rows written since.
TEST_F(VerifyTest, WatchKeepsReportingAMismatchUntilTheRowIsFixed) {
  ASSERT_EQ(Tandem({"start", file_}).exit_code, 0);
  Tamper("UPDATE accounts SET _tandem_new_owner = 'tampered' WHERE id = 4242");
  CommandResult watch;
  // Its own command line, so the interrupt below reaches this watch only.
  std::thread runner([&] { watch = Tandem({"--json", "verify", "--show", "3", "--watch", "1s"}); });
  bool two_passes = WaitForPasses(2);
  CommandResult status = Tandem({"--json", "status"});
  int failing_passes = PassesRecorded();
  Exec("UPDATE accounts SET owner = 'fixed' WHERE id = 4242");  // synced by the trigger
  bool fixed_and_seen = WaitForPasses(failing_passes + 2);
  std::string interrupt =
      std::string("pkill -INT -f '^") + TANDEM_BINARY + " --json verify --show 3 --watch'";
  ASSERT_EQ(std::system(interrupt.c_str()), 0);
  runner.join();
  ASSERT_TRUE(two_passes && fixed_and_seen) << watch.out << watch.err;
  auto shown = nlohmann::json::parse(status.out);
  EXPECT_EQ(shown["last_verify"]["passed"], false) << status.out;
  EXPECT_EQ(shown["last_verify"]["full"], false) << status.out;
  std::vector<nlohmann::json> passes;
  for (const auto& line : Split(watch.out, '\n')) {
    if (line.find("\"parity_percent\"") != std::string::npos) {
      passes.push_back(nlohmann::json::parse(line));
    }
  }
  ASSERT_GE(passes.size(), static_cast<size_t>(failing_passes + 2)) << watch.out;
  for (int i = 0; i < failing_passes; ++i) {
    EXPECT_EQ(passes[i]["flags"], 1) << "pass " << i << ": " << passes[i].dump(2);
    EXPECT_EQ(passes[i]["parity"][0]["mismatches"], 1) << "pass " << i;
    EXPECT_EQ(passes[i]["parity"][0]["example_keys"], nlohmann::json::array({"4242"}));
  }
  EXPECT_FALSE(passes[1]["full"].get<bool>());
  // The pass running while the row was fixed may have seen either; the next did not.
  for (size_t i = failing_passes + 1; i < passes.size(); ++i) {
    EXPECT_EQ(passes[i]["flags"], 0) << "pass " << i << ": " << passes[i].dump(2);
  }
  EXPECT_EQ(watch.exit_code, 0) << watch.err;
}

}  // namespace
}  // namespace tandem::testing
