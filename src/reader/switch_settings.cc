#include "reader/switch_settings.h"

#include <set>

#include "common/flag_decision.h"
#include "reader/throttle_settings.h"

namespace tandem::reader {
namespace {

constexpr std::string_view kProbeKeys[] = {"name", "sql", "http", "command", "max", "min"};

// An allowance: a number of 0 or more.
std::optional<double> Allowance(const MapReader& map, std::string_view key) {
  std::optional<double> value = NumberSetting(map, key);
  if (value && !(*value >= 0)) {
    map.Fail(key, "expected a number of 0 or more, e.g. 1");
    return std::nullopt;
  }
  return value;
}

void ReadProbes(const MapReader& section, plan::SwitchSettings* settings) {
  std::set<std::string> names;
  for (const MapReader& item : section.MapList("probes", kProbeKeys)) {
    plan::ProbeSettings probe;
    probe.name = item.Identifier("name", Need::kRequired);
    probe.sql = item.String("sql");
    probe.http = item.String("http");
    probe.command = item.String("command");
    probe.max = NumberSetting(item, "max");
    probe.min = NumberSetting(item, "min");
    if (!item.ok()) return;
    int kinds = !probe.sql.empty() + !probe.http.empty() + !probe.command.empty();
    if (kinds != 1) {
      return item.FailHere("probe \"" + probe.name +
                           "\" needs exactly one of sql (a query returning one number), http (a "
                           "URL whose body is one number) or command (healthy while it exits 0)");
    }
    if (probe.command.empty() && !probe.max && !probe.min) {
      return item.FailHere("probe \"" + probe.name +
                           "\" needs a threshold: max (breached above it) or min (below it)");
    }
    if (!probe.command.empty() && (probe.max || probe.min)) {
      return item.FailHere("probe \"" + probe.name +
                           "\" runs a command, whose exit status is its verdict: remove max/min");
    }
    if (!probe.http.empty() && probe.http.rfind("http://", 0) != 0) {
      return item.Fail("http",
                       "expected an http:// URL on the local network, e.g. "
                       "http://127.0.0.1:8080/errors");
    }
    if (!names.insert(probe.name).second) {
      return item.Fail("name", "probe \"" + probe.name +
                                   "\" is declared twice; give each a "
                                   "unique name");
    }
    settings->probes.push_back(std::move(probe));
  }
}

void ReadRamp(const MapReader& section, plan::SwitchSettings* settings) {
  if (!section.Has("ramp")) return;
  int previous = 0;
  for (const std::string& text : section.StringList("ramp", Need::kRequired)) {
    Result<int> share = ParseFlagShare(text);
    if (!share.ok() || *share <= previous) {
      return section.Fail("ramp",
                          "expected rising shares above 0%, e.g. [1%, 10%, 50%, 100%]; "
                          "got \"" +
                              text + "\"");
    }
    previous = *share;
    settings->ramp.push_back(*share);
  }
  if (previous != kBuckets) {
    return section.Fail("ramp", "the ramp must end at 100%, e.g. [1%, 10%, 50%, 100%]");
  }
  if (!settings->step_every) {
    section.FailMissing("step_every", "a ramp needs how long each step is watched, e.g. 10m");
  }
}

}  // namespace

void ReadSwitchSettings(const MapReader& section, plan::SwitchSettings* settings) {
  settings->given = true;
  settings->observe = DurationSetting(section, "observe", /*zero_ok=*/false);
  settings->sample_every = DurationSetting(section, "sample_every", /*zero_ok=*/false);
  settings->step_every = DurationSetting(section, "step_every", /*zero_ok=*/false);
  settings->max_rollback_rate = Allowance(section, "max_rollback_rate");
  settings->max_deadlocks = Allowance(section, "max_deadlocks");
  settings->max_lock_waits = Allowance(section, "max_lock_waits");
  settings->max_latency_ratio = Allowance(section, "max_latency_ratio");
  if (settings->max_latency_ratio && *settings->max_latency_ratio < 1) {
    section.Fail("max_latency_ratio", "expected a ratio of 1 or more, e.g. 2 (twice as slow)");
  }
  settings->flag = section.Has("flag") ? section.Identifier("flag") : "";
  ReadProbes(section, settings);
  ReadRamp(section, settings);
}

}  // namespace tandem::reader
