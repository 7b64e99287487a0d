// The user's probes of the observation window, from the file's `switch:`
// section: a SQL query returning one number, an HTTP URL on the local
// network whose body is one number, or a command whose exit status is the
// verdict. Each read is bounded in time, so a window never hangs on one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "observe/types.h"
#include "plan/migration.h"

namespace tandem::observe {

// A probe for `settings`. SQL probes open their session through `connect`
// on first use and run `session_setup` on it first (read-only, a statement
// timeout: the engine's).
std::unique_ptr<UserProbe> MakeProbe(const plan::ProbeSettings& settings, Connector connect,
                                     std::string session_setup);

// The probes of HTTP URLs (http_probe.cc): GET `url`, whose host must be on
// the local network (loopback, private or link-local addresses).
std::unique_ptr<UserProbe> MakeHttpProbe(const plan::ProbeSettings& settings);

// `value` against the probe's max/min, as a Reading named after it.
Reading ProbeReading(const plan::ProbeSettings& settings, double value);

// The number `text` holds (surrounding white space allowed), or kDatabase
// naming the probe and what it got.
Result<double> ProbeNumber(const plan::ProbeSettings& settings, const std::string& text,
                           const std::string& source);

}  // namespace tandem::observe
