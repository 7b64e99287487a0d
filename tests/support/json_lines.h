// Reading --json output in tests: JSON Lines, one object per line.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace tandem::testing {

// Each non-empty line of `out` as JSON; a line that is not one object fails
// the test (and is kept as a discarded value).
inline std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> objects;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    objects.push_back(nlohmann::json::parse(line, nullptr, false));
    EXPECT_TRUE(objects.back().is_object()) << "not one JSON object: " << line;
  }
  return objects;
}

}  // namespace tandem::testing
