// The gates' rules on plain evidence: each condition refusing and passing,
// stale sign-offs, and the governance section choosing what applies.
#include "gates/gates.h"

#include <gtest/gtest.h>

namespace tandem::gates {
namespace {

plan::Governance Governed() {
  plan::Governance g;
  g.present = true;
  g.require_observation = true;
  g.require_rehearsal = true;
  g.signoffs = {{"switch", {"data_quality"}}, {"complete", {"reversibility"}}};
  return g;
}

// Evidence on which every gate of Governed() opens.
Evidence Ready() {
  Evidence e;
  e.migration = "m";
  e.backfill_needed = true;
  e.backfill_done = true;
  e.compatibility = CompatibilityEvidence{{"the old version reads t"}, {}};
  e.verification = VerificationEvidence{true, true, true, 100, "now"};
  e.observation = ObservationEvidence{true, 600, "", "now"};
  e.readers = std::vector<std::string>{};
  e.rehearsal = RehearsalEvidence{true, 3, 10, "", "now", false};
  e.signoffs = {{"data_quality", "ana", "now", "", "", false},
                {"reversibility", "bo", "now", "", "", false}};
  return e;
}

const Condition* Find(const Gate& gate, const std::string& key) {
  for (const auto& c : gate.conditions) {
    if (c.key == key) return &c;
  }
  return nullptr;
}

TEST(GatesTest, EveryGateOpensOnFullEvidence) {
  for (const Gate& gate : EvaluateGates(Ready(), Governed())) {
    EXPECT_TRUE(gate.passed()) << gate.name;
    EXPECT_TRUE(RefuseUnmet(gate, "m").ok());
  }
}

TEST(GatesTest, MissingObservationClosesContractAndSaysNotRecorded) {
  Evidence e = Ready();
  e.observation.reset();
  Gate gate = EvaluateGate(Transition::kContract, e, Governed());
  EXPECT_FALSE(gate.passed());
  const Condition* c = Find(gate, "observation");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->evidence, "not recorded");
  Status refused = RefuseUnmet(gate, "m");
  EXPECT_EQ(refused.kind(), ErrorKind::kRefused);
  EXPECT_NE(refused.message().find("observation window"), std::string::npos) << refused.message();
}

TEST(GatesTest, FailedOrShortObservationWindowCloses) {
  Evidence e = Ready();
  e.observation->clean = false;
  EXPECT_FALSE(EvaluateGate(Transition::kContract, e, Governed()).passed());
  e = Ready();
  plan::Governance g = Governed();
  g.min_observation = Millis(15 * 60 * 1000);
  Gate gate = EvaluateGate(Transition::kContract, e, g);
  EXPECT_FALSE(gate.passed());
  EXPECT_NE(Find(gate, "observation")->evidence.find("min_observation"), std::string::npos);
}

TEST(GatesTest, RehearsalMustPassBeFreshAndFastEnough) {
  Evidence e = Ready();
  e.rehearsal->stale = true;
  EXPECT_FALSE(EvaluateGate(Transition::kContract, e, Governed()).passed());
  e = Ready();
  plan::Governance g = Governed();
  g.max_rollback_time = Millis(2000);
  EXPECT_FALSE(EvaluateGate(Transition::kContract, e, g).passed()) << "3s > 2s";
  g.max_rollback_time = Millis(5000);
  EXPECT_TRUE(EvaluateGate(Transition::kContract, e, g).passed());
}

TEST(GatesTest, StaleSignoffDoesNotCount) {
  Evidence e = Ready();
  e.signoffs[0].stale = true;
  Gate gate = EvaluateGate(Transition::kSwitch, e, Governed());
  EXPECT_FALSE(gate.passed());
  EXPECT_NE(Find(gate, "signoff:data_quality")->evidence.find("stale"), std::string::npos);
  // A fresh sign-off after the stale one counts again.
  e.signoffs.push_back({"data_quality", "ana", "later", "", "", false});
  EXPECT_TRUE(EvaluateGate(Transition::kSwitch, e, Governed()).passed());
}

TEST(GatesTest, WithoutGovernanceOnlyTheOldChecksApply) {
  Evidence e = Ready();
  e.observation.reset();
  e.rehearsal.reset();
  e.signoffs.clear();
  e.compatibility.reset();  // not probed without the section
  for (const Gate& gate : EvaluateGates(e, plan::Governance{})) {
    EXPECT_TRUE(gate.passed()) << gate.name;
  }
  e.verification->passed = false;
  EXPECT_FALSE(EvaluateGate(Transition::kSwitch, e, plan::Governance{}).passed());
}

TEST(GatesTest, SkippedConditionsAreLeftToTheirCommand) {
  Evidence e = Ready();
  e.readers = std::vector<std::string>{"view v"};
  Gate gate = EvaluateGate(Transition::kContract, e, Governed());
  EXPECT_FALSE(gate.passed());
  EXPECT_TRUE(RefuseUnmet(gate, "m", {"readers"}).ok());
}

TEST(GatesTest, FailedCompatibilityProbeClosesTheFirstGate) {
  Evidence e = Ready();
  e.compatibility->failures = {"old version writes t: permission denied"};
  Gate gate = EvaluateGate(Transition::kBackfill, e, Governed());
  EXPECT_FALSE(gate.passed());
  EXPECT_NE(RefuseUnmet(gate, "m").message().find("permission denied"), std::string::npos);
}

TEST(GatesTest, StartNeedsTheSignoffsThePolicyNamesForIt) {
  Evidence e = Ready();
  plan::Governance g = Governed();
  EXPECT_FALSE(StartGoverned(g)) << "by default start needs no sign-off";
  EXPECT_EQ(EvaluateGates(e, g).size(), 3u);
  EXPECT_TRUE(EvaluateGate(Transition::kStart, e, g).conditions.empty());
  g.signoffs["start"] = {"compatibility"};
  ASSERT_TRUE(StartGoverned(g));
  std::vector<Gate> gates = EvaluateGates(e, g);
  ASSERT_EQ(gates.size(), 4u);
  EXPECT_EQ(gates[0].name, "plan -> expand");
  EXPECT_FALSE(gates[0].passed());
  EXPECT_NE(RefuseUnmet(gates[0], "m").message().find("sign-off: compatibility: not signed"),
            std::string::npos);
  EXPECT_EQ(Find(gates[1], "signoff:compatibility"), nullptr)
      << "expand -> backfill does not ask again";
  e.signoffs.push_back({"compatibility", "cy", "now", "", "", false});
  EXPECT_TRUE(EvaluateGate(Transition::kStart, e, g).passed());
}

TEST(GatesTest, ScorecardHasFiveCategoriesWithTheirSignoffs) {
  std::vector<ScorecardRow> rows = Scorecard(Ready());
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[1].category, "data_quality");
  ASSERT_TRUE(rows[1].signoff.has_value());
  EXPECT_EQ(rows[1].signoff->by, "ana");
  EXPECT_FALSE(rows[0].signoff.has_value());
  EXPECT_NE(rows[4].evidence.find("no owners"), std::string::npos);
}

TEST(GatesTest, JsonNamesEveryGateAndCondition) {
  Evidence e = Ready();
  e.observation.reset();
  std::string json = GatesToJson("m", EvaluateGates(e, Governed()), Scorecard(e));
  EXPECT_NE(json.find("\"open\":false"), std::string::npos) << json;
  EXPECT_NE(json.find("\"key\":\"observation\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"evidence\":\"not recorded\""), std::string::npos) << json;
}

}  // namespace
}  // namespace tandem::gates
