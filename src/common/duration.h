// Parsing and printing of durations given on the command line ("500ms", "10m").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/status.h"

namespace tandem {

using Millis = std::chrono::milliseconds;

// Accepts numbers each followed by one of ms, s, m (or min), h: "250ms",
// "1.5s", "1h30m". A bare number other than 0 is refused: "5" could mean 5 ms
// (PostgreSQL's lock_timeout) as well as 5 s, and a wrong guess is costly.
Result<Millis> ParseDuration(std::string_view text);
// "1.25s", "340ms", "2m05s": short and human.
std::string FormatDuration(Millis duration);

}  // namespace tandem
