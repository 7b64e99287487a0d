// Waiting for something another process does (a tandem command running in
// the background), polling, with a limit so a test never hangs.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace tandem::testing {

// True as soon as `condition` holds, false when `limit` passed first.
inline bool WaitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  constexpr std::chrono::milliseconds kPoll{100};
  for (auto waited = std::chrono::milliseconds{0}; waited < limit; waited += kPoll) {
    if (condition()) return true;
    std::this_thread::sleep_for(kPoll);
  }
  return condition();
}

}  // namespace tandem::testing
