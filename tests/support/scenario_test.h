// The test of one scenario file on one engine: `Fixture` (PgTest or
// SqliteTest) gives the fresh database and its `url_`; the engine's test
// file says how SQL reaches the two versions there (ScenarioEngine).
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/command.h"
#include "support/scenario_runner.h"

namespace tandem::testing::scenario {

template <typename Fixture>
class ScenarioTest : public Fixture,
                     public ScenarioEngine,
                     public ::testing::WithParamInterface<std::string> {
 public:
  std::string Url() const override { return this->url_; }

 protected:
  void ExpectPasses() {
    const std::string& path = this->GetParam();
    ExpectScenarioPasses(*this, path,
                         TempDir() + "/scenario-" + EngineName() + "-" + ScenarioTestName(path));
  }
};

}  // namespace tandem::testing::scenario

// One test per scenario file that has a record for `engine`, named after
// the file: Scenarios/<Test>.Passes/<file stem>.
#define TANDEM_SCENARIO_TESTS(Test, engine)                                                     \
  TEST_P(Test, Passes) { ExpectPasses(); }                                                      \
  INSTANTIATE_TEST_SUITE_P(                                                                     \
      Scenarios, Test, ::testing::ValuesIn(::tandem::testing::scenario::ScenarioFiles(engine)), \
      [](const auto& info) { return ::tandem::testing::scenario::ScenarioTestName(info.param); })
