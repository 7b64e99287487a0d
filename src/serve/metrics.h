// What `tandem serve` answers on /metrics: the migration's status in
// Prometheus' text exposition format (version 0.0.4), so a dashboard can
// follow a long backfill and an alert can fire on a failed verification.
#pragma once

#include <string>

#include "core/runner.h"
#include "gates/types.h"

namespace tandem::serve {

// The Content-Type Prometheus expects for this format.
inline constexpr char kMetricsContentType[] = "text/plain; version=0.0.4; charset=utf-8";

struct MetricsOptions {
  // Every metric name starts with it and an underscore.
  std::string prefix = "tandem";
  std::string version;  // tandem's, for <prefix>_build_info
};

// `report` is what `tandem status` shows; `database_up` is false when it
// could not be read, and then only <prefix>_database_up 0 and the build info
// are written.
// `gates` are the migration in progress's (what `tandem gates` shows): one
// <prefix>_gate_open sample each; none when it could not be gathered.
std::string RenderMetrics(const MetricsOptions& options, const core::StatusReport& report,
                          bool database_up, const std::vector<gates::Gate>& gates = {});

// True when `prefix` can start a Prometheus metric name: a letter or an
// underscore, then letters, digits and underscores (no colon: those are for
// recording rules).
bool ValidMetricPrefix(const std::string& prefix);

}  // namespace tandem::serve
