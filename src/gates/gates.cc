#include "gates/gates.h"

#include <cstdio>

#include "common/fixed_point.h"
#include "common/strings.h"

namespace tandem::gates {
namespace {

std::string Seconds(double s) { return FormatFixed(s, 1) + "s"; }

std::string Percent(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g%%", p);
  return buf;
}

Condition Backfill(const Evidence& e) {
  Condition c{"backfill", "backfill finished", !e.backfill_needed || e.backfill_done, "", ""};
  c.evidence = !e.backfill_needed ? "no rows to backfill"
               : e.backfill_done  ? "finished"
                                  : "rows still wait for the backfill";
  c.next = "run `tandem backfill`";
  return c;
}

Condition Verification(const Evidence& e) {
  Condition c{"verification", "row parity passes (verification after the backfill)", false, "",
              "run `tandem verify` (and `tandem verify --repair` if it fails)"};
  if (!e.verification) {
    c.evidence = "not recorded";
    return c;
  }
  const VerificationEvidence& v = *e.verification;
  c.met = v.full && v.passed && v.after_backfill;
  c.evidence = std::string(v.passed ? "passed" : "failed") + ", parity " +
               Percent(v.parity_percent) + (v.full ? "" : ", partial") +
               (v.after_backfill ? "" : ", before the backfill finished") + " (" + v.at + ")";
  return c;
}

Condition Readers(const Evidence& e) {
  Condition c{"readers", "no hidden readers", false, "",
              "change or drop each object that still reads the old shape (`tandem readers`)"};
  if (!e.readers) {
    c.evidence = "not checked";
    return c;
  }
  c.met = e.readers->empty();
  c.evidence = c.met ? "none found" : Join(*e.readers, ", ");
  return c;
}

Condition Observation(const Evidence& e, const plan::Governance& g) {
  double min_s = g.min_observation ? static_cast<double>(g.min_observation->count()) / 1000 : 0;
  Condition c{"observation", "a clean observation window after the switch", false, "",
              "run `tandem switch`, watch the observation window until it ends clean"};
  if (!e.observation) {
    c.evidence = "not recorded";
    return c;
  }
  const ObservationEvidence& o = *e.observation;
  c.met = o.clean && o.window_s >= min_s;
  c.evidence = std::string(o.clean ? "clean" : "failed") + " window of " + Seconds(o.window_s) +
               (o.reason.empty() ? "" : ": " + o.reason) + " (" + o.at + ")";
  if (o.clean && o.window_s < min_s) {
    c.evidence += "; shorter than min_observation " + Seconds(min_s);
  }
  return c;
}

Condition Rehearsal(const Evidence& e, const plan::Governance& g) {
  Condition c{"rehearsal", "rollback rehearsed", false, "", "run `tandem rehearse FILE`"};
  if (!e.rehearsal) {
    c.evidence = "not recorded";
    return c;
  }
  const RehearsalEvidence& r = *e.rehearsal;
  double max_s = g.max_rollback_time ? static_cast<double>(g.max_rollback_time->count()) / 1000 : 0;
  bool fast_enough = max_s <= 0 || r.rollback_s <= max_s;
  c.met = r.passed && !r.stale && fast_enough;
  c.evidence = r.passed ? "rollback took " + Seconds(r.rollback_s) + " (extrapolated)"
                        : "failed: " + r.failure;
  c.evidence += " (" + r.at + ")";
  if (r.stale) c.evidence += "; stale: rehearsed another plan, rehearse again";
  if (r.passed && !fast_enough) {
    c.evidence += "; slower than max_rollback_time " + Seconds(max_s);
    c.next = "make the rollback faster or raise max_rollback_time, then rehearse again";
  }
  return c;
}

Condition Compatibility(const Evidence& e) {
  Condition c{"compatibility", "the old application still works", false, "",
              "fix what the failing probe names, then run `tandem start` again"};
  if (!e.compatibility) {
    c.evidence = "not probed yet (probed after expand)";
    return c;
  }
  c.met = e.compatibility->failures.empty();
  c.evidence = c.met ? std::to_string(e.compatibility->passed.size()) + " probes passed"
                     : Join(e.compatibility->failures, "; ");
  return c;
}

// The newest sign-off of `category`, stale or not.
std::optional<SignoffRecord> NewestSignoff(const Evidence& e, const std::string& category) {
  std::optional<SignoffRecord> newest;
  for (const auto& s : e.signoffs) {
    if (s.category == category) newest = s;
  }
  return newest;
}

Condition Signoff(const Evidence& e, const std::string& category, Transition transition) {
  // Before start there is no migration in progress to sign: the file is.
  std::string next =
      transition == Transition::kStart
          ? "`tandem signoff " + category + " --by NAME FILE` after reviewing " +
                "`tandem plan FILE` and `tandem runbook FILE`"
          : "`tandem signoff " + category + " --by NAME` after reviewing " + "`tandem gates`";
  Condition c{"signoff:" + category, "sign-off: " + category, false, "", next};
  std::optional<SignoffRecord> s = NewestSignoff(e, category);
  if (!s) {
    c.evidence = "not signed";
    return c;
  }
  c.met = !s->stale;
  c.evidence = "signed by " + s->by + " (" + s->at + ")" +
               (s->stale ? "; stale: the plan changed since, sign again" : "");
  return c;
}

// The key of `transition` in the policy (`signoffs: {start: ..., switch:
// ..., complete: ...}`); expand -> backfill has none: start's sign-offs are
// asked before start changes anything (kStart).
std::string PolicyKey(Transition transition) {
  switch (transition) {
    case Transition::kStart:
      return "start";
    case Transition::kBackfill:
      return "";
    case Transition::kSwitch:
      return "switch";
    case Transition::kContract:
      return "complete";
  }
  return "";
}

void AddSignoffs(const plan::Governance& g, Transition transition, const Evidence& e,
                 std::vector<Condition>* conditions) {
  auto it = g.signoffs.find(PolicyKey(transition));
  if (it == g.signoffs.end()) return;
  for (const auto& category : it->second) {
    conditions->push_back(Signoff(e, category, transition));
  }
}

}  // namespace

Gate EvaluateGate(Transition transition, const Evidence& e, const plan::Governance& g) {
  Gate gate;
  gate.transition = transition;
  switch (transition) {
    case Transition::kStart:
      gate.name = "plan -> expand";
      gate.command = "start";
      break;
    case Transition::kBackfill:
      gate.name = "expand -> backfill";
      gate.command = "start";
      // Probed only where the file asks for governance (runner_gates.cc).
      if (g.present) gate.conditions.push_back(Compatibility(e));
      break;
    case Transition::kSwitch:
      gate.name = "backfill -> switch";
      gate.command = "switch";
      gate.conditions.push_back(Backfill(e));
      gate.conditions.push_back(Verification(e));
      break;
    case Transition::kContract:
      gate.name = "switch -> contract";
      gate.command = "complete";
      gate.conditions.push_back(Backfill(e));
      gate.conditions.push_back(Verification(e));
      gate.conditions.push_back(Readers(e));
      if (g.require_observation) gate.conditions.push_back(Observation(e, g));
      if (g.require_rehearsal) gate.conditions.push_back(Rehearsal(e, g));
      break;
  }
  AddSignoffs(g, transition, e, &gate.conditions);
  return gate;
}

bool StartGoverned(const plan::Governance& g) {
  auto it = g.signoffs.find("start");
  return it != g.signoffs.end() && !it->second.empty();
}

std::vector<Gate> EvaluateGates(const Evidence& e, const plan::Governance& g) {
  std::vector<Gate> gates;
  if (StartGoverned(g)) gates.push_back(EvaluateGate(Transition::kStart, e, g));
  for (Transition t : {Transition::kBackfill, Transition::kSwitch, Transition::kContract}) {
    gates.push_back(EvaluateGate(t, e, g));
  }
  return gates;
}

std::vector<ScorecardRow> Scorecard(const Evidence& e) {
  std::vector<ScorecardRow> rows;
  for (const char* category : kCategories) {
    ScorecardRow row;
    row.category = category;
    std::string name = category;
    if (name == "compatibility") {
      row.evidence = Compatibility(e).evidence;
    } else if (name == "data_quality") {
      row.evidence = Verification(e).evidence;
    } else if (name == "observability") {
      row.evidence = (e.observability.empty() ? std::string("no throttle signals or invariants "
                                                            "configured")
                                              : Join(e.observability, ", ")) +
                     "; observation window: " + Observation(e, {}).evidence;
    } else if (name == "reversibility") {
      row.evidence = "rehearsal: " + Rehearsal(e, {}).evidence;
    } else {
      row.evidence =
          e.stakeholders.empty() ? "no owners: section in the file" : Join(e.stakeholders, ", ");
    }
    row.signoff = NewestSignoff(e, name);
    rows.push_back(std::move(row));
  }
  return rows;
}

Status RefuseUnmet(const Gate& gate, const std::string& migration,
                   const std::set<std::string>& skip) {
  std::string unmet;
  for (const auto& c : gate.conditions) {
    if (c.met || skip.count(c.key) > 0) continue;
    unmet += "\n  - " + c.name + ": " + c.evidence + "; " + c.next;
  }
  if (unmet.empty()) return Status::Ok();
  return Status::Refused("the gate " + gate.name + " of \"" + migration +
                         "\" is closed, so `tandem " + gate.command + "` changed nothing:" + unmet +
                         "\n`tandem gates` shows all the evidence");
}

bool IsCategory(const std::string& category) {
  for (const char* c : kCategories) {
    if (category == c) return true;
  }
  return false;
}

}  // namespace tandem::gates
