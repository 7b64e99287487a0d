#include "support/gates_cli.h"

#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "support/command.h"
#include "support/users_migrations.h"

namespace tandem::testing {
namespace {

// kUsersNameNotNull with `governance` appended (and its own file name).
std::string Governed(const std::string& file, const std::string& governance) {
  return WriteMigration(file, std::string(kUsersNameNotNull) + governance);
}

// kUsersNameNotNull with another `up`: the same migration, another plan.
std::string OtherPlan(const std::string& file, const std::string& governance) {
  std::string migration = kUsersNameNotNull;
  migration.replace(migration.find("'anonymous'"), 11, "'nobody'");
  return WriteMigration(file, migration + governance);
}

constexpr char kSignoffs[] = R"y(governance:
  require_observation: false
  require_rehearsal: false
  signoffs: {switch: [data_quality], complete: [reversibility]}
)y";

void ExpectExit(const CommandResult& r, int code, const std::string& says = "") {
  EXPECT_EQ(r.exit_code, code) << r.out << r.err;
  if (!says.empty()) EXPECT_NE((r.out + r.err).find(says), std::string::npos) << r.out << r.err;
}

void StartAndVerify(const std::string& url, const std::string& file,
                    const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"start", file};
  args.insert(args.end(), extra.begin(), extra.end());
  ExpectExit(RunTandem(url, args), 0);
  ExpectExit(RunTandem(url, {"verify"}), 0);
}

// The phase of the migration in progress, "" when none is.
std::string Phase(const std::string& url) {
  CommandResult status = RunTandem(url, {"status", "--json"});
  nlohmann::json report =
      nlohmann::json::parse(status.out.substr(0, status.out.find('\n')), nullptr, false);
  if (!report.is_object() || !report["active"].is_object()) return "";
  return report["active"]["phase"].get<std::string>();
}

}  // namespace

void ExpectSwitchGateNeedsSignoff(const std::string& url) {
  StartAndVerify(url, Governed("02_name.yaml", kSignoffs));
  ExpectExit(RunTandem(url, {"switch"}), 1, "sign-off: data_quality: not signed");
  EXPECT_EQ(Phase(url), "active");
  CommandResult gates = RunTandem(url, {"gates", "--json"});
  ExpectExit(gates, 1);
  nlohmann::json view = nlohmann::json::parse(gates.out.substr(0, gates.out.find('\n')));
  EXPECT_EQ(view["gates"][1]["name"], "backfill -> switch");
  EXPECT_EQ(view["gates"][1]["open"], false);
  EXPECT_EQ(view["scorecard"].size(), 5u);
  ExpectExit(RunTandem(url, {"signoff", "data_quality", "--by", "ana", "--note", "parity 100%"}),
             0);
  gates = RunTandem(url, {"gates"});
  EXPECT_NE(gates.out.find("gate backfill -> switch (`tandem switch`): open"), std::string::npos)
      << gates.out;
  EXPECT_NE(gates.out.find("data_quality: signed by ana"), std::string::npos) << gates.out;
  ExpectExit(RunTandem(url, {"switch"}), 0);
  EXPECT_EQ(Phase(url), "switched");
}

void ExpectContractGateNeedsCleanObservation(const std::string& url, const ExecSql& exec,
                                             const std::string& events_table) {
  StartAndVerify(url, Governed("02_name.yaml", R"y(governance:
  require_rehearsal: false
  min_observation: 60s
  signoffs: none
)y"));
  ExpectExit(RunTandem(url, {"switch"}), 0);
  ExpectExit(RunTandem(url, {"complete"}), 1,
             "a clean observation window after the switch: not recorded");
  auto observe = [&](const std::string& outcome, int window_s) {
    exec("INSERT INTO " + events_table +
         " (migration_id, phase, kind, description, outcome, detail) SELECT max(migration_id), "
         "'switch', 'observe', 'observation window', '" +
         outcome + "', '{\"window_s\":" + std::to_string(window_s) +
         ",\"signals\":[],\"reason\":\"error rate\"}' FROM " + events_table);
  };
  observe("failed", 300);
  ExpectExit(RunTandem(url, {"complete"}), 1, "failed window of 300.0s: error rate");
  observe("ok", 30);
  ExpectExit(RunTandem(url, {"complete"}), 1, "shorter than min_observation");
  observe("ok", 120);
  ExpectExit(RunTandem(url, {"complete"}), 0);
  EXPECT_EQ(Phase(url), "");  // nothing in progress
  CommandResult history = RunTandem(url, {"history"});
  EXPECT_NE(history.out.find("completed"), std::string::npos) << history.out;
}

void ExpectSignoffStaleAfterFileChange(const std::string& url) {
  StartAndVerify(url, Governed("02_name.yaml", kSignoffs));
  ExpectExit(RunTandem(url, {"signoff", "data_quality", "--by", "ana"}), 0);
  ExpectExit(RunTandem(url, {"rollback"}), 0);
  // The same plan from an edited file (a comment): the sign-off holds.
  StartAndVerify(url, Governed("02_name.yaml", std::string(kSignoffs) + "# reviewed again\n"));
  CommandResult gates = RunTandem(url, {"gates"});
  EXPECT_NE(gates.out.find("data_quality: signed by ana"), std::string::npos) << gates.out;
  ExpectExit(RunTandem(url, {"rollback"}), 0);
  // The same migration planning other SQL: the sign-off is stale.
  StartAndVerify(url, OtherPlan("02_name.yaml", kSignoffs));
  gates = RunTandem(url, {"gates"});
  EXPECT_NE(gates.out.find("STALE sign-off by ana"), std::string::npos) << gates.out;
  ExpectExit(RunTandem(url, {"switch"}), 1, "stale: the plan changed since");
  ExpectExit(RunTandem(url, {"signoff", "data_quality", "--by", "ana"}), 0);
  ExpectExit(RunTandem(url, {"switch"}), 0);
}

void ExpectRehearsalBoundToThePlan(const std::string& url) {
  const std::string governance = R"y(governance:
  require_observation: false
  require_rehearsal: true
  signoffs: none
)y";
  ExpectExit(RunTandem(url, {"rehearse", Governed("02_name.yaml", governance)}), 0);
  // The same plan from an edited file (a comment): the rehearsal holds.
  StartAndVerify(url, Governed("02_name.yaml", governance + "# reviewed again\n"));
  CommandResult gates = RunTandem(url, {"gates"});
  EXPECT_NE(gates.out.find("rehears"), std::string::npos) << gates.out;
  EXPECT_EQ(gates.out.find("stale: rehearsed"), std::string::npos) << gates.out;
  ExpectExit(RunTandem(url, {"rollback"}), 0);
  // The same migration planning other SQL: the rehearsal is stale.
  StartAndVerify(url, OtherPlan("02_name.yaml", governance));
  gates = RunTandem(url, {"gates"});
  EXPECT_NE(gates.out.find("stale: rehearsed another plan"), std::string::npos) << gates.out;
}

void ExpectApprovalBoundToFileAndDatabase(const std::string& url, const std::string& other_url) {
  constexpr char kApproval[] = R"y(governance:
  require_approval: true
  require_observation: false
  require_rehearsal: false
  signoffs: none
)y";
  std::string file = Governed("02_name.yaml", kApproval);
  ExpectExit(RunTandem(url, {"start", file}), 1, "requires an approval");
  EXPECT_EQ(Phase(url), "");
  CommandResult approved = RunTandem(url, {"approve", file, "--by", "cto"});
  ExpectExit(approved, 0);
  std::string token = approved.out.substr(0, approved.out.find('\n'));
  ASSERT_FALSE(token.empty());
  // Another database never saw this approval.
  ExpectExit(RunTandem(other_url, {"start", file, "--approval", token}), 1,
             "issued for another database");
  ExpectExit(RunTandem(other_url, {"approve", file, "--by", "cto"}), 0);
  ExpectExit(RunTandem(other_url, {"start", file, "--approval", token}), 1,
             "issued for another database");
  // The plan changed after it was approved: refused, naming both plans.
  std::string replanned = OtherPlan("02_name.yaml", kApproval);
  CommandResult changed = RunTandem(url, {"start", replanned, "--approval", token});
  ExpectExit(changed, 1, "the plan or its settings changed since the approval");
  EXPECT_NE(changed.err.find("(plan checksum " + token.substr(17, 8)), std::string::npos)
      << changed.err;
  ExpectExit(RunTandem(url, {"start", file, "--approval", "no-such-token"}), 1, "unknown");
  EXPECT_EQ(Phase(url), "");
  // A setting added after the approval (a hook runs a command): refused too.
  std::string hooked =
      Governed("02_name.yaml", std::string(kApproval) + "hooks:\n  command: \"true\"\n");
  ExpectExit(RunTandem(url, {"start", hooked, "--approval", token}), 1,
             "the plan or its settings changed since the approval");
  EXPECT_EQ(Phase(url), "");
  // Only a comment changed: the plan is the same, the approval holds.
  std::string commented = Governed("02_name.yaml", std::string(kApproval) + "# one more line\n");
  ExpectExit(RunTandem(url, {"start", commented, "--approval", token}), 0, "approved by cto");
  ExpectExit(RunTandem(url, {"verify"}), 0);
  ExpectExit(RunTandem(url, {"switch"}), 1, "requires an approval");
  ExpectExit(RunTandem(url, {"switch", "--observe", "1s", "--approval", token}), 0);
  ExpectExit(RunTandem(url, {"complete", "--approval", token}), 0, "approved by cto");
}

// The UTC date `days` from today, "YYYY-MM-DD".
std::string DateFromToday(int days) {
  std::time_t at = std::time(nullptr) + days * 24 * 60 * 60;
  std::tm tm{};
  gmtime_r(&at, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

void ExpectFreezeRefusesComplete(const std::string& url) {
  std::string freeze = DateFromToday(-1) + ".." + DateFromToday(1);
  std::string file = Governed("02_name.yaml", "schedule:\n  freezes: [\"" + freeze + "\"]\n");
  // A small table: start is no high-risk step.
  StartAndVerify(url, file);
  CommandResult refused = RunTandem(url, {"complete"});
  ExpectExit(refused, 1, "inside the freeze " + freeze);
  EXPECT_NE(refused.err.find("next allowed time is " + DateFromToday(2) + "T00:00:00Z"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(Phase(url), "active");
  ExpectExit(RunTandem(url, {"switch"}), 1, "freeze");
  ExpectExit(RunTandem(url, {"rollback"}), 0);  // rolling back is always allowed
}

void ExpectCompatibilityProbesGateTheBackfill(const std::string& url) {
  // Only the probes: no sign-off, observation or rehearsal asked for.
  const std::string probes_only = R"y(governance:
  require_observation: false
  require_rehearsal: false
  signoffs: none
  compatibility:
)y";
  std::string failing = Governed("02_name.yaml", probes_only + R"y(
    - {name: orders_still_join, sql: "SELECT count(*) = 0 FROM users WHERE id < 0"}
    - {name: app_health, sql: "SELECT 1 = 2"}
)y");
  ExpectExit(RunTandem(url, {"start", failing}), 1, "app_health: returned");
  CommandResult gates = RunTandem(url, {"gates"});
  EXPECT_NE(gates.out.find("gate expand -> backfill (`tandem start`): closed"), std::string::npos)
      << gates.out;
  ExpectExit(RunTandem(url, {"backfill"}), 1, "app_health");
  ExpectExit(RunTandem(url, {"rollback"}), 0);
  std::string passing = Governed("02_name.yaml", probes_only + R"y(
    - {name: app_health, sql: "SELECT 1 = 1"}
)y");
  ExpectExit(RunTandem(url, {"start", passing}), 0);
  gates = RunTandem(url, {"gates"});
  EXPECT_NE(gates.out.find("probes passed"), std::string::npos) << gates.out;
  EXPECT_NE(gates.out.find("gate expand -> backfill (`tandem start`): open"), std::string::npos)
      << gates.out;
}

void ExpectRunbookAndReport(const std::string& url, const ExecSql& exec,
                            const std::string& events_table, long long rows) {
  std::string file = Governed("02_name.yaml", R"y(governance:
  min_observation: 10s
  max_rollback_time: 10m
  signoffs: {switch: [data_quality], complete: [reversibility]}
owners:
  migration_lead: ana
  application_owner: bo
  data_owner: cy
  sre_owner: dee
  channel: "#db-changes"
  communication: announce in #eng a day ahead
)y");
  CommandResult runbook = RunTandem(url, {"runbook", file});
  ExpectExit(runbook, 0);
  for (const char* section :
       {"# Runbook: 02_name", "## Roles and communication", "| SRE owner | dee |",
        "## Commands, in order, and what to expect", "## Stop conditions and rollback triggers",
        "shorter than 10.00s", "slower than 10m00s", "## Fastest safe rollback per phase",
        "## Validation queries and parity checks", "## Observation window",
        "Who is notified on anomalies? #db-changes"}) {
    EXPECT_NE(runbook.out.find(section), std::string::npos) << section << "\n" << runbook.out;
  }
  EXPECT_NE(runbook.out.find("not rehearsed"), std::string::npos) << runbook.out;
  ExpectExit(RunTandem(url, {"rehearse", file}), 0, "rollback from switched");
  runbook = RunTandem(url, {"runbook", file});
  EXPECT_NE(runbook.out.find("on " + std::to_string(rows) + " rows copied"), std::string::npos)
      << runbook.out;

  StartAndVerify(url, file);
  // rollback --dry-run quotes the rehearsal's time for the same step.
  CommandResult preview = RunTandem(url, {"rollback", "--dry-run"});
  ExpectExit(preview, 0);
  EXPECT_NE(preview.out.find("rehearsed: rollback took"), std::string::npos) << preview.out;
  ExpectExit(RunTandem(url, {"note", "backfill", "ran", "at", "night", "--by", "ana"}), 0);
  ExpectExit(RunTandem(url, {"signoff", "data_quality", "--by", "cy", "--note", "parity ok"}), 0);
  ExpectExit(RunTandem(url, {"switch"}), 0);
  exec("INSERT INTO " + events_table +
       " (migration_id, phase, kind, description, outcome, detail) SELECT max(migration_id), "
       "'switch', 'observe', 'observation window', 'ok', '{\"window_s\":30,\"signals\":[]}' "
       "FROM " +
       events_table);
  ExpectExit(RunTandem(url, {"signoff", "reversibility", "--by", "dee"}), 0);
  ExpectExit(RunTandem(url, {"complete"}), 0);

  CommandResult report = RunTandem(url, {"report", "02_name"});
  ExpectExit(report, 0);
  for (const char* section :
       {"# Migration report: 02_name", "## Phases", "| expand |", "| backfill |", "| complete |",
        "## Backfill", "## Verification", "passed, parity 100.0000%", "## Gate decisions",
        "gate backfill -> switch: ok", "gate switch -> contract: ok", "## Sign-offs",
        "data_quality: cy", "## Notes", "backfill ran at night (ana)", "## Retrospective",
        "What assumptions were wrong: ____", "rehearsed rollback"}) {
    EXPECT_NE(report.out.find(section), std::string::npos) << section << "\n" << report.out;
  }
  EXPECT_NE(report.out.find("users: " + std::to_string(rows) + " rows"), std::string::npos)
      << report.out;
  CommandResult json = RunTandem(url, {"report", "--json"});
  ExpectExit(json, 0);
  nlohmann::json r = nlohmann::json::parse(json.out.substr(0, json.out.find('\n')));
  EXPECT_EQ(r["migration"], "02_name");
  EXPECT_EQ(r["backfill"][0]["rows"], rows);
  EXPECT_GT(r["backfill"][0]["rows_per_second"].get<double>(), 0);
  // The chunk durations, recorded by the backfill: p99 between mean and max.
  ASSERT_TRUE(r["backfill"][0]["chunk_p99_ms"].is_number()) << json.out;
  double p99 = r["backfill"][0]["chunk_p99_ms"].get<double>();
  EXPECT_GE(p99, 0);
  EXPECT_LE(p99, r["backfill"][0]["chunk_max_ms"].get<double>());
  EXPECT_GE(r["backfill"][0]["chunk_max_ms"].get<double>(),
            r["backfill"][0]["chunk_mean_ms"].get<double>());
  EXPECT_EQ(report.out.find("chunk p99: not recorded"), std::string::npos) << report.out;
  EXPECT_NE(report.out.find(" chunks, chunk p99 "), std::string::npos) << report.out;
  EXPECT_EQ(r["notes"][0]["text"], "backfill ran at night (ana)");
  EXPECT_EQ(r["signoffs"].size(), 2u);
  EXPECT_TRUE(r["retrospective"]["wrong_assumptions"].is_null());
  EXPECT_NE(r["outcome"].get<std::string>().find("completed"), std::string::npos);
}

void ExpectMaxRuntimeStopsResumably(const std::string& url, const ScalarSql& scalar,
                                    const std::string& events_table, bool chunked_complete) {
  // The limit has passed by the time the first long step runs.
  std::string file = Governed("02_name.yaml", "run:\n  max_runtime: 1ms\n");
  auto stops = [&] {
    return scalar("SELECT count(*) FROM " + events_table +
                  " WHERE kind = 'max_runtime' AND outcome = 'stopped'");
  };
  CommandResult runbook = RunTandem(url, {"runbook", file});
  ExpectExit(runbook, 0, "1ms after the migration started (run.max_runtime)");
  CommandResult start = RunTandem(url, {"start", file});
  ExpectExit(start, 3, "the backfill of users stopped: run.max_runtime");
  EXPECT_NE(start.err.find("run `tandem backfill --max-runtime D`"), std::string::npos)
      << start.err;
  EXPECT_EQ(Phase(url), "active");
  EXPECT_EQ(stops(), "1");
  ExpectExit(RunTandem(url, {"backfill", "--max-runtime", "1h"}), 0);

  ExpectExit(RunTandem(url, {"verify"}), 3, "the verification pass stopped");
  EXPECT_EQ(stops(), "2");
  ExpectExit(RunTandem(url, {"verify", "--max-runtime", "1h"}), 0);

  ExpectExit(RunTandem(url, {"switch", "--observe", "2s"}), 3,
             "the observation window's baseline (the switch did not happen) stopped");
  EXPECT_EQ(Phase(url), "active");
  EXPECT_EQ(stops(), "3");
  ExpectExit(RunTandem(url, {"switch", "--observe", "1s", "--max-runtime", "1h"}), 0);
  EXPECT_EQ(Phase(url), "switched");

  if (chunked_complete) {
    ExpectExit(RunTandem(url, {"complete"}), 3, "the online rebuild step");
    EXPECT_EQ(Phase(url), "completing");
    EXPECT_EQ(stops(), "4");
  }
  ExpectExit(RunTandem(url, {"complete", "--max-runtime", "1h"}), 0);
  EXPECT_EQ(Phase(url), "");
  ExpectExit(RunTandem(url, {"backfill", "--max-runtime", "0s"}), 2,
             "--max-runtime must be above 0");
}

void ExpectRollbackIgnoresTheTimeLimit(const std::string& url) {
  // An overrun is when a way back is wanted most: the limit never stops it.
  std::string file = Governed("02_name.yaml", "run:\n  max_runtime: 1ms\n");
  ExpectExit(RunTandem(url, {"start", file, "--max-runtime", "1h"}), 0);
  EXPECT_EQ(Phase(url), "active");
  ExpectExit(RunTandem(url, {"rollback"}), 0);
  EXPECT_EQ(Phase(url), "");
}

void ExpectRunRequireApproval(const std::string& url) {
  // run.require_approval alone, without a governance section.
  std::string file = Governed("02_name.yaml", "run:\n  require_approval: true\n");
  CommandResult refused = RunTandem(url, {"start", file});
  ExpectExit(refused, 1, "requires an approval (run.require_approval)");
  EXPECT_NE(refused.err.find("tandem approve FILE --by NAME"), std::string::npos) << refused.err;
  EXPECT_EQ(Phase(url), "");
  CommandResult approved = RunTandem(url, {"approve", file, "--by", "lead"});
  ExpectExit(approved, 0);
  std::string token = approved.out.substr(0, approved.out.find('\n'));
  ExpectExit(RunTandem(url, {"start", file, "--approval", token}), 0);
  ExpectExit(RunTandem(url, {"verify"}), 0);
  ExpectExit(RunTandem(url, {"switch"}), 1, "`tandem switch --approval TOKEN`");
  ExpectExit(RunTandem(url, {"switch", "--observe", "1s", "--approval", token}), 0);
  ExpectExit(RunTandem(url, {"complete"}), 1, "requires an approval");
  EXPECT_EQ(Phase(url), "switched");
  ExpectExit(RunTandem(url, {"complete", "--approval", token}), 0);
}

void ExpectStartSignoffPolicy(const std::string& url) {
  constexpr char kPolicy[] = R"y(governance:
  require_observation: false
  require_rehearsal: false
  signoffs: {start: [compatibility], switch: none, complete: none}
)y";
  std::string file = Governed("02_name.yaml", kPolicy);
  CommandResult refused = RunTandem(url, {"start", file});
  ExpectExit(refused, 1, "the gate plan -> expand of \"02_name\" is closed");
  EXPECT_NE(refused.err.find("sign-off: compatibility: not signed"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("`tandem signoff compatibility --by NAME FILE`"), std::string::npos)
      << refused.err;
  EXPECT_EQ(Phase(url), "");
  ExpectExit(RunTandem(url, {"signoff", "compatibility", "--by", "ana", file}), 0);
  StartAndVerify(url, file);
  CommandResult gates = RunTandem(url, {"gates"});
  EXPECT_NE(gates.out.find("gate plan -> expand (`tandem start`): open"), std::string::npos)
      << gates.out;
  // Signing with FILE is for a migration not started yet.
  ExpectExit(RunTandem(url, {"signoff", "compatibility", "--by", "ana", file}), 1,
             "sign it off without FILE");
  ExpectExit(RunTandem(url, {"rollback"}), 0);
  // Another plan of the same migration: the sign-off does not carry over.
  ExpectExit(RunTandem(url, {"start", OtherPlan("02_name.yaml", kPolicy)}), 1,
             "stale: the plan changed since");
  EXPECT_EQ(Phase(url), "");
}

}  // namespace tandem::testing
