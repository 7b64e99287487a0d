// Timestamps as RFC 3339 text, the form JSON consumers (jq, log shippers,
// Prometheus tooling) parse without a format string.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace tandem {

// The current time in UTC with milliseconds: "2026-12-07T05:31:02.123Z".
std::string NowRfc3339();

// A timestamp as PostgreSQL (ISO DateStyle, "2026-12-07 05:31:02.12+00") or
// SQLite ("2026-12-07 05:31:02", UTC) prints it, as RFC 3339:
// "2026-12-07T05:31:02.12+00:00", "2026-12-07T05:31:02Z". Empty text (no
// value) gives nullopt; text of another shape is returned unchanged.
std::optional<std::string> DatabaseTimeToRfc3339(std::string_view text);

// The second of a timestamp as DatabaseTimeToRfc3339 returns it (or as
// the database printed it), fractions dropped; nullopt for other text.
std::optional<std::time_t> ParseTimestamp(std::string_view text);

}  // namespace tandem
