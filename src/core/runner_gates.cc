// Runner: the readiness gates (gates/). Gathers their evidence from the
// state store and the database, enforces them in the commands that make a
// transition (start, switch, complete), and shows them (`tandem gates`).
#include <nlohmann/json.hpp>

#include "common/rfc3339.h"
#include "common/schedule.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "core/governance_store.h"
#include "core/run_settings.h"
#include "core/runner.h"
#include "gates/gates.h"
#include "plan/plan_json.h"
#include "reader/reader.h"

namespace tandem::core {
namespace {

nlohmann::json ParseDetail(const std::string& detail) {
  nlohmann::json parsed = nlohmann::json::parse(detail, nullptr, /*allow_exceptions=*/false);
  return parsed.is_object() ? parsed : nlohmann::json::object();
}

std::string Text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

double Number(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

// The observation window after the newest switch, by the contract of the
// observe events: phase "switch", kind "observe", outcome ok or failed.
std::optional<gates::ObservationEvidence> Observation(const std::vector<RecordedEvent>& events) {
  std::optional<gates::ObservationEvidence> found;
  for (const auto& recorded : events) {
    const Event& e = recorded.event;
    if (e.kind == "switch") found.reset();
    if (e.kind != "observe" || (e.outcome != "ok" && e.outcome != "failed")) continue;
    nlohmann::json detail = ParseDetail(e.detail);
    found = gates::ObservationEvidence{e.outcome == "ok", Number(detail, "window_s"),
                                       Text(detail, "reason"), recorded.at};
  }
  return found;
}

std::optional<gates::CompatibilityEvidence> Compatibility(
    const std::vector<RecordedEvent>& events) {
  std::optional<gates::CompatibilityEvidence> found;
  for (const auto& recorded : events) {
    if (recorded.event.kind != "compatibility") continue;
    nlohmann::json detail = ParseDetail(recorded.event.detail);
    gates::CompatibilityEvidence evidence;
    for (const auto& p : detail.value("passed", nlohmann::json::array())) {
      if (p.is_string()) evidence.passed.push_back(p.get<std::string>());
    }
    for (const auto& f : detail.value("failures", nlohmann::json::array())) {
      if (f.is_string()) evidence.failures.push_back(f.get<std::string>());
    }
    found = evidence;
  }
  return found;
}

// What the file sets up to watch the migration, for the scorecard.
std::vector<std::string> Observability(const plan::Settings& s) {
  std::vector<std::string> out;
  const plan::ThrottleSettings& t = s.throttle;
  if (t.max_replica_lag) out.push_back("replica lag throttle");
  if (t.max_active_sessions) out.push_back("active sessions throttle");
  if (t.max_lock_waiters) out.push_back("lock waiters throttle");
  if (!t.throttle_query.empty()) out.push_back("throttle_query");
  if (!s.invariants.empty()) out.push_back(std::to_string(s.invariants.size()) + " invariants");
  return out;
}

std::vector<std::string> Stakeholders(const plan::Owners& o) {
  std::vector<std::string> out;
  auto add = [&](const char* role, const std::string& who) {
    if (!who.empty()) out.push_back(std::string(role) + ": " + who);
  };
  add("migration lead", o.migration_lead);
  add("application owner", o.application_owner);
  add("data owner", o.data_owner);
  add("SRE owner", o.sre_owner);
  add("channel", o.channel);
  add("communication plan", o.communication);
  return out;
}

// The newest rehearsal as evidence; stale when it rehearsed another plan.
std::optional<gates::RehearsalEvidence> RehearsalOf(const std::optional<Rehearsal>& r,
                                                    const std::string& plan_checksum,
                                                    const std::string& file_checksum) {
  if (!r) return std::nullopt;
  return gates::RehearsalEvidence{r->passed,
                                  r->RollbackSeconds(),
                                  r->TotalSeconds(),
                                  r->failure,
                                  r->at,
                                  !r->Covers(plan_checksum, file_checksum)};
}

// What the scorecard shows for `category`: the evidence a sign-off saw.
std::string ScorecardEvidence(const gates::Evidence& evidence, const std::string& category) {
  for (const auto& row : gates::Scorecard(evidence)) {
    if (row.category == category) return row.evidence;
  }
  return "";
}

// What `record`'s sign-offs and approvals are bound to: its stored plan and
// stored file (plan::BoundChecksum); empty when either cannot be read (then
// only the file's checksum counts).
std::string StoredPlanChecksum(const MigrationRecord& record) {
  Result<plan::Plan> stored = plan::PlanFromJson(record.plan_json);
  Result<plan::Migration> file = reader::ParseMigration(record.file_content, record.name + ".yaml");
  return stored.ok() && file.ok() ? plan::BoundChecksum(*stored, *file) : "";
}

// Whether a sign-off or approval given for `bound` still holds for a
// migration whose plan has `plan_checksum` and whose file `file_checksum`:
// bound to the same plan, or (records of earlier versions, bound to the
// file) to the very same file, which plans the same.
bool StillHolds(const std::string& bound, const std::string& plan_checksum,
                const std::string& file_checksum) {
  return (!plan_checksum.empty() && bound == plan_checksum) || bound == file_checksum;
}

}  // namespace

GovernanceStore Runner::Governance() {
  return GovernanceStore(*conn_, database_.engine(), options_.state_schema);
}

Result<std::vector<gates::SignoffRecord>> Runner::Signoffs(const MigrationRecord& record) {
  return SignoffsFor(record.name, StoredPlanChecksum(record), record.checksum);
}

Result<std::vector<gates::SignoffRecord>> Runner::SignoffsFor(const std::string& name,
                                                              const std::string& plan_checksum,
                                                              const std::string& file_checksum) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<GovernanceRecord> rows,
                          Governance().Select(options_.schema, name, "signoff"));
  std::vector<gates::SignoffRecord> out;
  for (const auto& row : rows) {
    nlohmann::json detail = ParseDetail(row.detail);
    out.push_back({Text(detail, "category"), row.by, row.at, Text(detail, "note"),
                   Text(detail, "evidence"),
                   !StillHolds(row.checksum, plan_checksum, file_checksum)});
  }
  return out;
}

Status Runner::EnforceStartSignoffs(const plan::Migration& migration,
                                    const plan::Settings& settings,
                                    const std::string& plan_checksum) {
  if (!gates::StartGoverned(settings.governance)) return Status::Ok();
  gates::Evidence evidence;
  evidence.migration = migration.name;
  TANDEM_ASSIGN_OR_RETURN(evidence.signoffs,
                          SignoffsFor(migration.name, plan_checksum, migration.checksum));
  gates::Gate gate = gates::EvaluateGate(gates::Transition::kStart, evidence, settings.governance);
  return gates::RefuseUnmet(gate, migration.name);
}

Result<gates::Evidence> Runner::GatherEvidence(const MigrationRecord& record,
                                               const plan::Plan& plan, bool find_readers) {
  gates::Evidence e;
  e.migration = record.name;
  for (const auto& sync : plan.syncs) e.backfill_needed = e.backfill_needed || sync.backfill;
  e.backfill_done = record.backfill_done;
  TANDEM_ASSIGN_OR_RETURN(std::vector<VerifyRun> runs, state_->VerifyRuns(record.id));
  if (!runs.empty()) {
    const VerifyRun& v = runs.back();
    e.verification =
        gates::VerificationEvidence{v.full, v.passed, v.after_backfill, v.parity_percent, v.at};
  }
  TANDEM_ASSIGN_OR_RETURN(std::vector<RecordedEvent> events, state_->Events(record.id));
  e.observation = Observation(events);
  e.compatibility = Compatibility(events);
  if (find_readers) {
    TANDEM_ASSIGN_OR_RETURN(std::vector<readers::Reader> found, engine_->FindReaders(*conn_, plan));
    std::vector<std::string> names;
    for (const auto& r : found) names.push_back(r.kind + " " + r.name);
    e.readers = names;
  }
  TANDEM_ASSIGN_OR_RETURN(
      std::optional<Rehearsal> rehearsal,
      LastRehearsal(*conn_, database_.engine(), options_.state_schema, record.schema, record.name));
  e.rehearsal = RehearsalOf(rehearsal, StoredPlanChecksum(record), record.checksum);
  TANDEM_ASSIGN_OR_RETURN(e.signoffs, Signoffs(record));
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record));
  e.observability = Observability(settings);
  e.stakeholders = Stakeholders(settings.owners);
  return e;
}

Result<GatesView> Runner::Gates() {
  TANDEM_RETURN_IF_ERROR(ConnectToRead());
  TANDEM_ASSIGN_OR_RETURN(bool has_state, state_->Exists());
  if (!has_state) {
    return Status::Refused("no migration is in progress on schema \"" + options_.schema +
                           "\" (tandem's state schema \"" + options_.state_schema +
                           "\" does not exist); gates apply to a started migration");
  }
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("show gates for"));
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  TANDEM_ASSIGN_OR_RETURN(gates::Evidence evidence, GatherEvidence(record, plan, true));
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record));
  // complete asks for a clean window once switched (GateOnWindow) even
  // without a governance section: the view shows that condition too.
  plan::Governance governance = settings.governance;
  bool switched = false;
  TANDEM_ASSIGN_OR_RETURN(bool window_required, WindowRequired(record, &switched));
  governance.require_observation = governance.require_observation || window_required;
  return GatesView{record.name, gates::EvaluateGates(evidence, governance),
                   gates::Scorecard(evidence)};
}

Status Runner::EnforceGate(const MigrationRecord& record, const plan::Plan& plan,
                           gates::Transition transition) {
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record));
  // Backfill, verification and readers each have their own check (with
  // --force where it applies), run before this one.
  TANDEM_ASSIGN_OR_RETURN(gates::Evidence evidence, GatherEvidence(record, plan, false));
  gates::Gate gate = gates::EvaluateGate(transition, evidence, settings.governance);
  Status decision = gates::RefuseUnmet(gate, record.name, {"backfill", "verification", "readers"});
  TANDEM_RETURN_IF_ERROR(Record(record.id, {.phase = gate.command,
                                            .kind = "gate",
                                            .description = "gate " + gate.name,
                                            .outcome = decision.ok() ? "ok" : "refused",
                                            .detail = decision.ok() ? "" : decision.message()}));
  return decision;
}

Status Runner::CheckSchedule(const plan::Settings& settings, const std::string& what) {
  const plan::Schedule& schedule = settings.schedule;
  if (schedule.windows.empty() && schedule.freezes.empty()) return Status::Ok();
  TANDEM_ASSIGN_OR_RETURN(
      ScheduleVerdict verdict,
      tandem::CheckSchedule(schedule.windows, schedule.freezes, std::time(nullptr)));
  if (verdict.allowed) return Status::Ok();
  return Status::Refused(
      what + " is a high-risk step, refused now: " + verdict.why + " (the file's schedule:)." +
      (verdict.next_allowed.empty()
           ? " No allowed time is in the next year; change the schedule"
           : " The next allowed time is " + verdict.next_allowed + "; run the command again then"));
}

Status Runner::CheckApproval(const plan::Settings& settings, const std::string& name,
                             const ApprovalSubject& subject, const std::string& token,
                             const std::string& command) {
  if (token.empty()) {
    bool by_run = settings.require_approval.value_or(false);
    if (!settings.governance.require_approval && !by_run) return Status::Ok();
    return Status::Refused("migration \"" + name + "\" requires an approval (" +
                           (by_run ? "run.require_approval" : "governance: require_approval") +
                           "): have it approved with `tandem approve FILE --by NAME`, then run "
                           "`tandem " +
                           command + " --approval TOKEN`");
  }
  GovernanceStore store = Governance();
  TANDEM_ASSIGN_OR_RETURN(std::string database_id, store.RecordedDatabaseId());
  TANDEM_ASSIGN_OR_RETURN(std::vector<GovernanceRecord> approvals,
                          store.Select(options_.schema, name, "approval"));
  for (const auto& approval : approvals) {
    if (Text(ParseDetail(approval.detail), "token") != token) continue;
    if (!StillHolds(approval.checksum, subject.plan_checksum, subject.file_checksum)) {
      return Status::Refused("approval token " + token + " was issued by " + approval.by + " on " +
                             approval.at + " for another plan of \"" + name + "\" (plan checksum " +
                             approval.checksum.substr(0, 12) + ", now " +
                             subject.plan_checksum.substr(0, 12) +
                             "): the plan or its settings changed since the approval; have the "
                             "file approved again with `tandem "
                             "approve FILE --by NAME`");
    }
    reporter_.Note("approved by " + approval.by + " on " + approval.at);
    return Status::Ok();
  }
  // A token's first part names the database it was issued on.
  std::vector<std::string> parts = Split(token, '-');
  bool well_formed =
      parts.size() == 3 && parts[0].size() == 16 && parts[1].size() == 8 && parts[2].size() == 16;
  if (well_formed && parts[0] != database_id) {
    return Status::Refused("approval token " + token + " was issued for another database (" +
                           parts[0] + "; this one is " +
                           (database_id.empty() ? "without approvals" : database_id) +
                           "): an approval holds only where it was given. Run `tandem approve "
                           "FILE --by NAME` against this database");
  }
  return Status::Refused("approval token " + token + " is unknown for migration \"" + name +
                         "\" on schema \"" + options_.schema +
                         "\"; `tandem approve FILE --by NAME` prints a valid one");
}

Result<std::string> Runner::Approve(const plan::Migration& migration, const std::string& by) {
  TANDEM_RETURN_IF_ERROR(Connect());
  // Planned first: an approval of a file that does not plan is worthless,
  // and the approval is bound to what the plan runs and the file's settings.
  TANDEM_ASSIGN_OR_RETURN(plan::Plan planned, Plan(migration));
  std::string plan_checksum = plan::BoundChecksum(planned, migration);
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  GovernanceStore store = Governance();
  TANDEM_ASSIGN_OR_RETURN(std::string database_id, store.DatabaseId());
  std::string token = database_id + "-" + plan_checksum.substr(0, 8) + "-" +
                      Sha256Hex(plan_checksum + by + NowRfc3339()).substr(0, 16);
  nlohmann::json detail = {
      {"token", token}, {"database", database_id}, {"file_checksum", migration.checksum}};
  TANDEM_RETURN_IF_ERROR(store.Append({.schema = options_.schema,
                                       .migration = migration.name,
                                       .kind = "approval",
                                       .checksum = plan_checksum,
                                       .by = by,
                                       .detail = detail.dump()}));
  return token;
}

Status Runner::Signoff(const SignoffOptions& options) {
  if (!gates::IsCategory(options.category)) {
    return Status::InvalidInput("unknown sign-off category \"" + options.category +
                                "\"; the categories are compatibility, data_quality, "
                                "observability, reversibility, stakeholder_alignment");
  }
  if (options.migration != nullptr) return SignoffFile(options);
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord record, RequireActive("sign off"));
  TANDEM_ASSIGN_OR_RETURN(plan::Plan plan, StoredPlan(record));
  TANDEM_ASSIGN_OR_RETURN(gates::Evidence evidence, GatherEvidence(record, plan, false));
  std::string seen = ScorecardEvidence(evidence, options.category);
  nlohmann::json detail = {
      {"category", options.category}, {"note", options.note}, {"evidence", seen}};
  TANDEM_RETURN_IF_ERROR(Governance().Append({.schema = record.schema,
                                              .migration = record.name,
                                              .kind = "signoff",
                                              .checksum = StoredPlanChecksum(record),
                                              .by = options.by,
                                              .detail = detail.dump()}));
  return Record(record.id, {.phase = PhaseName(record.phase),
                            .kind = "signoff",
                            .description = options.category + " signed off by " + options.by,
                            .outcome = "ok",
                            .detail = detail.dump()});
}

Status Runner::SignoffFile(const SignoffOptions& options) {
  const plan::Migration& migration = *options.migration;
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> active, state_->Active(options_.schema));
  if (active && active->name == migration.name) {
    return Status::Refused("migration \"" + migration.name +
                           "\" is in progress; sign it off without FILE (`tandem signoff " +
                           options.category + " --by NAME`), which binds to the plan it runs");
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Plan planned, Plan(migration));
  TANDEM_RETURN_IF_ERROR(Connect());
  // What the scorecard can show before start: the file's own settings and
  // the newest rehearsal.
  gates::Evidence evidence;
  evidence.migration = migration.name;
  plan::Settings settings = Layered(migration.settings, options_.config);
  evidence.observability = Observability(settings);
  evidence.stakeholders = Stakeholders(settings.owners);
  TANDEM_ASSIGN_OR_RETURN(std::optional<Rehearsal> rehearsal,
                          LastRehearsal(*conn_, database_.engine(), options_.state_schema,
                                        options_.schema, migration.name));
  std::string bound = plan::BoundChecksum(planned, migration);
  evidence.rehearsal = RehearsalOf(rehearsal, bound, migration.checksum);
  std::string seen = ScorecardEvidence(evidence, options.category);
  nlohmann::json detail = {
      {"category", options.category}, {"note", options.note}, {"evidence", seen}};
  return Governance().Append({.schema = options_.schema,
                              .migration = migration.name,
                              .kind = "signoff",
                              .checksum = bound,
                              .by = options.by,
                              .detail = detail.dump()});
}

Status Runner::Note(const std::string& text, const std::string& by) {
  if (Trim(text).empty()) return Status::InvalidInput("a note needs text: `tandem note TEXT`");
  TANDEM_RETURN_IF_ERROR(Connect());
  TANDEM_RETURN_IF_ERROR(state_->Init());
  TANDEM_ASSIGN_OR_RETURN(std::vector<MigrationRecord> history, state_->History(options_.schema));
  if (history.empty()) {
    return Status::Refused("no migration on schema \"" + options_.schema +
                           "\" to add a note to; notes belong to a started migration");
  }
  const MigrationRecord& newest = history.back();
  nlohmann::json detail = {{"by", by}, {"text", text}};
  return Record(newest.id, {.phase = PhaseName(newest.phase),
                            .kind = "note",
                            .description = text,
                            .outcome = "ok",
                            .detail = detail.dump()});
}

}  // namespace tandem::core

namespace tandem::core {

Status Runner::Govern(const MigrationRecord& record, const plan::Plan& plan,
                      const std::string& command, const std::string& approval,
                      std::optional<gates::Transition> transition) {
  if (options_.rehearsal) return Status::Ok();
  // Over the shared config: run.require_approval may come from there.
  TANDEM_ASSIGN_OR_RETURN(plan::Settings settings, SettingsOf(record, options_.config));
  TANDEM_RETURN_IF_ERROR(CheckApproval(
      settings, record.name, {StoredPlanChecksum(record), record.checksum}, approval, command));
  TANDEM_RETURN_IF_ERROR(CheckSchedule(settings, "`tandem " + command + "`"));
  if (transition) TANDEM_RETURN_IF_ERROR(EnforceGate(record, plan, *transition));
  return Status::Ok();
}

Status Runner::ProbeCompatibility(const MigrationRecord& record, const plan::Plan& plan,
                                  const plan::Settings& settings) {
  gates::CompatibilityEvidence evidence;
  auto probe = [&](const std::string& name, const std::string& sql) {
    Result<backend::QueryResult> rows = conn_->Query(sql);
    if (!rows.ok()) {
      evidence.failures.push_back(name + ": " + rows.status().message());
      return;
    }
    backend::Value first = rows->Scalar();
    if (first && (*first == "f" || *first == "false" || *first == "0")) {
      evidence.failures.push_back(name + ": returned " + *first);
      return;
    }
    evidence.passed.push_back(name);
  };
  for (const auto& sync : plan.syncs) {
    std::string table = QualifiedName(plan.schema, sync.table);
    probe("the old version reads " + sync.table,
          "SELECT count(*) >= 0 FROM (SELECT * FROM " + table + " LIMIT 1) AS probe");
    if (sync.key_columns.empty()) continue;
    // A write through the old version fires the dual-write triggers; it is
    // rolled back, so no row changes.
    std::string key = QuoteIdent(sync.key_columns.front());
    Status began = conn_->Execute("BEGIN");
    if (!began.ok()) {
      evidence.failures.push_back("write probe on " + sync.table + ": " + began.message());
      continue;
    }
    probe("the old version writes " + sync.table, "UPDATE " + table + " SET " + key + " = " + key +
                                                      " WHERE " + key + " IN (SELECT " + key +
                                                      " FROM " + table + " LIMIT 1)");
    (void)conn_->Execute("ROLLBACK");
  }
  if (engine_->capabilities().live_schema) {
    for (const auto& view : plan.views) {
      probe("the new version reads " + view.name,
            "SELECT count(*) >= 0 FROM (SELECT * FROM " +
                QualifiedName(plan.version_schema, view.name) + " LIMIT 1) AS probe");
    }
  }
  for (const auto& check : settings.governance.compatibility) probe(check.name, check.sql);
  nlohmann::json detail = {{"passed", evidence.passed}, {"failures", evidence.failures}};
  return Record(record.id, {.phase = "expand",
                            .kind = "compatibility",
                            .description = "compatibility probes after expand",
                            .outcome = evidence.failures.empty() ? "ok" : "failed",
                            .detail = detail.dump()});
}

}  // namespace tandem::core

namespace tandem::core {

Status Runner::GovernStart(const plan::Migration& migration, const std::string& approval) {
  if (options_.rehearsal) return Status::Ok();
  plan::Settings settings = Layered(migration.settings, options_.config);
  bool approval_asked = !approval.empty() || settings.governance.require_approval ||
                        settings.require_approval.value_or(false);
  bool scheduled = !settings.schedule.windows.empty() || !settings.schedule.freezes.empty();
  if (!approval_asked && !scheduled && !gates::StartGoverned(settings.governance)) {
    return Status::Ok();
  }
  TANDEM_ASSIGN_OR_RETURN(plan::Plan planned, Plan(migration));
  TANDEM_RETURN_IF_ERROR(Connect());
  std::string plan_checksum = plan::BoundChecksum(planned, migration);
  TANDEM_RETURN_IF_ERROR(CheckApproval(settings, migration.name,
                                       {plan_checksum, migration.checksum}, approval, "start"));
  TANDEM_RETURN_IF_ERROR(EnforceStartSignoffs(migration, settings, plan_checksum));
  if (!scheduled) return Status::Ok();
  // Only a start that backfills a large table is high-risk; counting stops
  // at the threshold, so a large table is not read to its end.
  long long threshold = settings.schedule.large_table_rows;
  for (const auto& sync : planned.syncs) {
    if (!sync.backfill) continue;
    TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows,
                            conn_->Query("SELECT count(*) FROM (SELECT 1 FROM " +
                                         QualifiedName(planned.schema, sync.table) + " LIMIT " +
                                         std::to_string(threshold) + ") AS bounded"));
    if (rows.Scalar() && *rows.Scalar() == std::to_string(threshold)) {
      return CheckSchedule(settings, "starting \"" + migration.name + "\" (table " + sync.table +
                                         " has " + std::to_string(threshold) +
                                         " rows or more, schedule.large_table_rows)");
    }
  }
  return Status::Ok();
}

}  // namespace tandem::core
