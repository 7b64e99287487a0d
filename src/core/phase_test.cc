#include "core/phase.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>
#include <vector>

namespace tandem::core {
namespace {

const std::vector<Phase> kAll = {Phase::kStarting,   Phase::kActive,    Phase::kSwitched,
                                 Phase::kCompleting, Phase::kCompleted, Phase::kRollingBack,
                                 Phase::kRolledBack};

// The lifecycle as README describes it, written out independently of the
// table in phase.cc.
const std::set<std::pair<Phase, Phase>> kLegal = {
    {Phase::kStarting, Phase::kActive},        {Phase::kStarting, Phase::kRollingBack},
    {Phase::kActive, Phase::kCompleting},      {Phase::kActive, Phase::kRollingBack},
    {Phase::kActive, Phase::kSwitched},        {Phase::kSwitched, Phase::kActive},
    {Phase::kSwitched, Phase::kCompleting},    {Phase::kCompleting, Phase::kCompleted},
    {Phase::kCompleting, Phase::kRollingBack}, {Phase::kRollingBack, Phase::kRolledBack},
};

TEST(PhaseTest, EveryLegalMoveIsAllowed) {
  for (const auto& [from, to] : kLegal) {
    EXPECT_TRUE(CanMove(from, to)) << from << " -> " << to;
    EXPECT_TRUE(CheckMove(from, to).ok()) << from << " -> " << to;
  }
}

TEST(PhaseTest, EveryOtherMoveIsRefusedNamingBothPhases) {
  for (Phase from : kAll) {
    for (Phase to : kAll) {
      if (kLegal.count({from, to}) > 0) continue;
      EXPECT_FALSE(CanMove(from, to)) << from << " -> " << to;
      Status status = CheckMove(from, to);
      EXPECT_EQ(status.kind(), ErrorKind::kInternal) << from << " -> " << to;
      EXPECT_NE(status.message().find(std::string("phase ") + PhaseName(from)), std::string::npos)
          << status.message();
      EXPECT_NE(status.message().find(std::string("phase ") + PhaseName(to)), std::string::npos)
          << status.message();
    }
  }
}

TEST(PhaseTest, SampleOfIllegalMoves) {
  EXPECT_FALSE(CanMove(Phase::kCompleted, Phase::kRollingBack)) << "rollback after complete";
  EXPECT_FALSE(CanMove(Phase::kRolledBack, Phase::kActive)) << "revival of a rolled back one";
  EXPECT_FALSE(CanMove(Phase::kStarting, Phase::kCompleting)) << "complete before expand";
  EXPECT_FALSE(CanMove(Phase::kActive, Phase::kCompleted)) << "complete without contract";
  EXPECT_FALSE(CanMove(Phase::kActive, Phase::kActive)) << "a move to the same phase";
  EXPECT_FALSE(CanMove(Phase::kStarting, Phase::kSwitched)) << "switch before expand finished";
  EXPECT_FALSE(CanMove(Phase::kSwitched, Phase::kRollingBack))
      << "a switched migration flips back to active before rollback undoes the expand";
  EXPECT_FALSE(CanMove(Phase::kCompleting, Phase::kSwitched)) << "switch after contract began";
  EXPECT_FALSE(CanMove(Phase::kSwitched, Phase::kCompleted)) << "complete without contract";
}

TEST(PhaseTest, SwitchedIsNeitherFinishedNorStarting) {
  EXPECT_FALSE(IsFinished(Phase::kSwitched));
  EXPECT_STREQ(PhaseName(Phase::kSwitched), "switched");
}

TEST(PhaseTest, StoredNamesAreThoseOfEarlierVersions) {
  EXPECT_STREQ(PhaseName(Phase::kStarting), "starting");
  EXPECT_STREQ(PhaseName(Phase::kActive), "active");
  EXPECT_STREQ(PhaseName(Phase::kSwitched), "switched");
  EXPECT_STREQ(PhaseName(Phase::kCompleting), "completing");
  EXPECT_STREQ(PhaseName(Phase::kCompleted), "completed");
  EXPECT_STREQ(PhaseName(Phase::kRollingBack), "rolling_back");
  EXPECT_STREQ(PhaseName(Phase::kRolledBack), "rolled_back");
}

TEST(PhaseTest, EveryNameParsesBack) {
  for (Phase phase : kAll) {
    Result<Phase> parsed = ParsePhase(PhaseName(phase));
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(*parsed, phase);
  }
}

TEST(PhaseTest, AnUnknownNameIsRefusedNamingItAndTheKnownOnes) {
  Result<Phase> parsed = ParsePhase("paused");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().kind(), ErrorKind::kRefused);
  EXPECT_NE(parsed.status().message().find("\"paused\""), std::string::npos);
  EXPECT_NE(parsed.status().message().find("rolling_back"), std::string::npos);
  EXPECT_FALSE(ParsePhase("Active").ok()) << "stored names are matched exactly";
}

TEST(PhaseTest, OnlyCompletedAndRolledBackAreFinished) {
  for (Phase phase : kAll) {
    EXPECT_EQ(IsFinished(phase), phase == Phase::kCompleted || phase == Phase::kRolledBack)
        << phase;
  }
}

}  // namespace
}  // namespace tandem::core
