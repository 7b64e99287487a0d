#include "plan/plan_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace tandem::plan {
namespace {

Step MakeStep(const std::string& description, StepKind kind) {
  Step step;
  step.description = description;
  step.kind = kind;
  step.statements = {"SELECT 1"};
  return step;
}

Plan TwoCompleteSteps() {
  Plan plan;
  plan.schema = "public";
  plan.version_schema = "public_02_x";
  plan.state_schema = "tandem";
  plan.complete = {MakeStep("validate users_check", StepKind::kPlain),
                   MakeStep("drop the old version", StepKind::kSwitch)};
  return plan;
}

TEST(PlanJsonTest, ThePlanChecksumChangesWithWhatRunsOnly) {
  Plan plan = TwoCompleteSteps();
  std::string checksum = PlanChecksum(plan);
  EXPECT_EQ(checksum.size(), 64u);
  Result<Plan> read = PlanFromJson(PlanToJson(plan));
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(PlanChecksum(*read), checksum) << "stored and read back, the same plan";
  Plan warned = plan;
  warned.warnings.push_back("a warning naming the file's path");
  EXPECT_EQ(PlanChecksum(warned), checksum) << "nothing more runs";
  Plan changed = plan;
  changed.complete[0].statements = {"SELECT 2"};
  EXPECT_NE(PlanChecksum(changed), checksum);
}

// A step's description is what tandem says about it, and its wording may
// change from one tandem release to the next; a migration started with one
// release resumes with the next, and its approvals stay valid.
TEST(PlanJsonTest, AStepsWordingIsNotWhatRuns) {
  Plan plan = TwoCompleteSteps();
  Plan reworded = plan;
  reworded.complete[0].description = "the same step, said another way";
  EXPECT_EQ(PlanChecksum(reworded), PlanChecksum(plan));
  EXPECT_EQ(FirstDifference(plan, reworded), "");
  Plan changed = plan;
  changed.complete[0].statements = {"SELECT 2"};
  std::string difference = FirstDifference(plan, changed);
  EXPECT_NE(difference.find("step \"" + plan.complete[0].description + "\""), std::string::npos)
      << "the difference names the step it is in: " << difference;
}

TEST(PlanJsonTest, StepKindsRoundTrip) {
  Result<Plan> read = PlanFromJson(PlanToJson(TwoCompleteSteps()));
  ASSERT_TRUE(read.ok()) << read.status().message();
  ASSERT_EQ(read->complete.size(), 2u);
  EXPECT_EQ(read->complete[0].kind, StepKind::kPlain);
  // Not derived from the description: this one does not start with "switch:".
  EXPECT_EQ(read->complete[1].kind, StepKind::kSwitch);
}

TEST(PlanJsonTest, TheKindIsWrittenByName) {
  nlohmann::json json = nlohmann::json::parse(PlanToJson(TwoCompleteSteps()));
  EXPECT_EQ(json["complete"][0]["kind"], "plain");
  EXPECT_EQ(json["complete"][1]["kind"], "switch");
}

TEST(PlanJsonTest, APlanStoredWithoutKindsFindsTheSwitchByItsDescription) {
  Plan plan = TwoCompleteSteps();
  plan.complete[1].description = "switch: drop the old version and dual-write";
  nlohmann::json json = nlohmann::json::parse(PlanToJson(plan));
  for (auto& step : json["complete"]) step.erase("kind");
  Result<Plan> read = PlanFromJson(json.dump());
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->complete[0].kind, StepKind::kPlain);
  EXPECT_EQ(read->complete[1].kind, StepKind::kSwitch);
}

TEST(PlanJsonTest, AnUnknownKindIsRefusedNamingIt) {
  nlohmann::json json = nlohmann::json::parse(PlanToJson(TwoCompleteSteps()));
  json["complete"][1]["kind"] = "swich";
  Result<Plan> read = PlanFromJson(json.dump());
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("unknown step kind \"swich\""), std::string::npos)
      << read.status().message();
}

}  // namespace
}  // namespace tandem::plan
