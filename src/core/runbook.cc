#include "core/runbook.h"

#include "common/duration.h"
#include "common/fixed_point.h"
#include "common/strings.h"
#include "plan/plan_json.h"

namespace tandem::core {
namespace {

std::string Seconds(double s) { return FormatFixed(s, 1) + "s"; }

// The rehearsed time of `phase`, or why there is none; `current` says
// whether the rehearsal rehearsed this plan.
std::string Rehearsed(const std::optional<Rehearsal>& r, const std::string& phase, bool current) {
  if (!r) return "not rehearsed (run `tandem rehearse`)";
  for (const auto& p : r->phases) {
    if (p.phase != phase) continue;
    return "rehearsed " + Seconds(p.extrapolated_seconds) + " on the real tables (" +
           Seconds(p.seconds) + " on " + std::to_string(r->rows_copied) + " rows copied)" +
           (current ? "" : "; rehearsed another plan, rehearse again");
  }
  return r->passed ? "not part of the rehearsal" : "the rehearsal failed before it";
}

std::string OrUnset(const std::string& value) { return value.empty() ? "(not set)" : value; }

std::string Roster(const plan::Owners& o) {
  return "| role | who |\n|---|---|\n| migration lead | " + OrUnset(o.migration_lead) +
         " |\n| application owner | " + OrUnset(o.application_owner) + " |\n| data owner | " +
         OrUnset(o.data_owner) + " |\n| SRE owner | " + OrUnset(o.sre_owner) + " |\n| channel | " +
         OrUnset(o.channel) + " |\n\nCommunication plan: " + OrUnset(o.communication) + "\n";
}

std::string Tables(const plan::Plan& plan) {
  std::vector<std::string> tables;
  for (const auto& sync : plan.syncs) {
    tables.push_back(sync.table + (sync.backfill ? " (backfilled)" : ""));
  }
  return tables.empty() ? "none with existing rows to move" : Join(tables, ", ");
}

std::string Thresholds(const plan::Settings& s) {
  std::string out;
  out += "- verification: parity below " +
         (s.parity_threshold ? std::to_string(*s.parity_threshold) : std::string("100")) +
         "% of rows, null/default drift above " +
         (s.drift_threshold ? std::to_string(*s.drift_threshold) : std::string("0")) +
         " percentage points, or any invariant broken: stop, do not switch; "
         "`tandem verify --repair` or roll back\n";
  const plan::Governance& g = s.governance;
  if (g.require_observation) {
    out += "- observation window not clean" +
           (g.min_observation ? " or shorter than " + FormatDuration(*g.min_observation)
                              : std::string("")) +
           ": `tandem switch --back` (rollback trigger)\n";
  }
  if (g.max_rollback_time) {
    out += "- rehearsed rollback slower than " + FormatDuration(*g.max_rollback_time) +
           ": do not complete\n";
  }
  const plan::ThrottleSettings& t = s.throttle;
  if (t.max_replica_lag) {
    out += "- replica lag above " + FormatDuration(*t.max_replica_lag) +
           " holds the backfill (it resumes by itself); lag that does not fall: `tandem pause`\n";
  }
  if (t.max_runtime) {
    out += "- each backfill run stops resumably after " + FormatDuration(*t.max_runtime) +
           " (backfill.max_runtime)\n";
  }
  if (s.run_max_runtime) {
    out += "- " + FormatDuration(*s.run_max_runtime) +
           " after the migration started (run.max_runtime), a running backfill, verification, "
           "observation window or online rebuild stops resumably (exit 3): decide whether to go "
           "on with a longer --max-runtime or to `tandem rollback`\n";
  }
  out +=
      "- a DDL step that cannot get its lock within --lock-deadline stops the command "
      "(exit 3), leaving a resumable phase: find the blocker (`tandem status`), then rerun\n";
  out += "- any gate closed (`tandem gates` exits 1): stop; the gate names what is missing\n";
  return out;
}

std::string Validation(const plan::Migration& m) {
  std::string out =
      "- parity: `tandem verify` (every row's new columns hold what `up` gives; the old ones "
      "what `down` gives), `tandem verify --watch 30s` during the observation window\n";
  for (const auto& inv : m.settings.invariants) {
    out += "- invariant " + inv.name + " on " + inv.table + ": `" + inv.check + "`\n";
  }
  for (const auto& check : m.settings.governance.compatibility) {
    out += "- compatibility " + check.name + ": `" + check.sql + "`\n";
  }
  out += "- hidden readers: `tandem readers` (must list nothing before complete)\n";
  return out;
}

}  // namespace

std::string RunbookMarkdown(const RunbookInputs& in) {
  const plan::Migration& m = in.migration;
  const plan::Settings& s = m.settings;
  const plan::Governance& g = s.governance;
  std::string approval = g.require_approval ? " --approval TOKEN" : "";
  std::string md = "# Runbook: " + m.name + "\n\n";
  md += "- file: " + in.file + " (checksum " + m.checksum.substr(0, 12) + ")\n";
  md += "- schema: " + in.plan.schema + ", new version schema: " + in.plan.version_schema + "\n";
  md += "- tables: " + Tables(in.plan) + "\n";
  md += "- steps: " + std::to_string(in.plan.expand.size()) + " expand, " +
        std::to_string(in.plan.complete.size()) + " complete, " +
        std::to_string(in.plan.rollback.size()) + " rollback\n\n";

  md += "## Roles and communication\n\n" + Roster(s.owners) + "\n";

  md += "## Commands, in order, and what to expect\n\n";
  int n = 0;
  auto step = [&](const std::string& command, const std::string& expect) {
    md += std::to_string(++n) + ". `" + command + "`\n   - expect: " + expect + "\n";
  };
  step("tandem plan " + in.file, "each phase's SQL and locks, no irreversible statement; exit 0");
  if (g.require_approval) {
    step("tandem approve " + in.file + " --by NAME",
         "a token on its own line; keep it for start, switch and complete");
  }
  step("tandem rehearse " + in.file,
       "each phase timed on a scratch copy and the rollback time extrapolated; exit 0");
  step("tandem start " + in.file + approval,
       "`==> expand " + m.name +
           "`, one line per step, then the backfill's progress and `<== "
           "backfill " +
           m.name + " done in ...`; exit 0");
  step("tandem verify", "`passed`, parity 100%; exit 0 (exit 1 names the failing check)");
  step("tandem gates", "`gate backfill -> switch (`tandem switch`): open`");
  if (g.signoffs.count("switch") > 0 && !g.signoffs.at("switch").empty()) {
    step("tandem signoff CATEGORY --by NAME",
         "once per category: " + Join(g.signoffs.at("switch"), ", "));
  }
  step("tandem switch" + approval,
       "`live schema ... now shows the new version`; the application reads the new version");
  step("(observe)",
       "the observation window ends clean: no error-rate, latency or verification "
       "regression (`tandem verify --watch 30s`)");
  if (g.signoffs.count("complete") > 0 && !g.signoffs.at("complete").empty()) {
    step("tandem signoff CATEGORY --by NAME",
         "once per category: " + Join(g.signoffs.at("complete"), ", "));
  }
  step("tandem complete" + approval, "`==> complete " + m.name +
                                         "`, the contract steps, `<== complete " + m.name +
                                         " done in ...`; exit 0");
  step("tandem report " + m.name, "the record of the migration, for the retrospective");

  md += "\n## Stop conditions and rollback triggers\n\n" + Thresholds(s);

  bool current = in.rehearsal && in.rehearsal->Covers(plan::BoundChecksum(in.plan, m), m.checksum);
  md += "\n## Fastest safe rollback per phase\n\n| phase | rollback | time |\n|---|---|---|\n";
  md +=
      "| expand / backfill (active) | `tandem rollback`: drops what expand made, the old "
      "version never stopped working | " +
      Rehearsed(in.rehearsal, "rollback", current) + " |\n";
  md +=
      "| switched | `tandem switch --back` (or `tandem rollback`): the old version again, "
      "dual-write kept every write | " +
      Rehearsed(in.rehearsal, "switch back", current) + " |\n";
  md += "| complete, before its switch step | `tandem rollback` | " +
        Rehearsed(in.rehearsal, "rollback", current) + " |\n";
  md +=
      "| complete, after its switch step | none: finish with `tandem complete`; a new "
      "migration undoes it | - |\n";

  md += "\n## Validation queries and parity checks\n\n" + Validation(m);

  md += "\n## Observation window\n\n";
  md += g.require_observation
            ? "Required before complete" +
                  (g.min_observation ? ", at least " + FormatDuration(*g.min_observation)
                                     : std::string("")) +
                  ". Clean means every watched signal stayed under its threshold; a failed "
                  "window is a rollback trigger.\n"
            : "Not required by the file (governance: require_observation); watch the "
              "application's error rate and latency after the switch anyway.\n";

  md += "\n## Before each transition\n\n";
  md +=
      "- What proves compatibility holds? the expand -> backfill gate's probes (both versions "
      "read every table, a rolled-back write, the file's compatibility checks) and `tandem "
      "verify`.\n";
  md += "- What is the fastest safe rollback? the table above, with its rehearsed time.\n";
  md +=
      "- Which metrics show hidden drift? `tandem verify --watch`'s trend of mismatching "
      "values, null/default drift, invariants; `tandem serve`'s tandem_* metrics.\n";
  md += "- Who is notified on anomalies? " +
        (s.owners.channel.empty() ? std::string("(no channel in owners:)") : s.owners.channel) +
        (s.owners.sre_owner.empty() ? "" : ", SRE owner " + s.owners.sre_owner) +
        (s.owners.migration_lead.empty() ? "" : ", migration lead " + s.owners.migration_lead) +
        ".\n";
  return md;
}

}  // namespace tandem::core
