#include "serve/metrics.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "core/backfill_control.h"

namespace tandem::serve {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

// A label value as the text format quotes it: backslash, double quote and
// line feed escaped.
std::string EscapeLabel(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

// Writes one metric family at a time: its HELP and TYPE lines once, then
// its samples, as the format requires (all samples of a family together).
class Exposition {
 public:
  explicit Exposition(std::string prefix) : prefix_(std::move(prefix)) {}

  void Family(const std::string& name, const char* type, const std::string& help) {
    current_ = prefix_ + "_" + name;
    out_ += "# HELP " + current_ + " " + help + "\n# TYPE " + current_ + " " + type + "\n";
  }

  void Sample(double value, const Labels& labels = {}, const char* suffix = "") {
    out_ += current_ + suffix;
    if (!labels.empty()) {
      out_ += "{";
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out_ += ",";
        out_ += labels[i].first + "=\"" + EscapeLabel(labels[i].second) + "\"";
      }
      out_ += "}";
    }
    out_ += " " + Number(value) + "\n";
  }

  // A gauge with one sample.
  void Gauge(const std::string& name, const std::string& help, double value,
             const Labels& labels = {}) {
    Family(name, "gauge", help);
    Sample(value, labels);
  }

  std::string Text() && { return std::move(out_); }

 private:
  std::string prefix_;
  std::string current_;
  std::string out_;
};

// A duration in seconds, where there is one.
std::optional<double> Seconds(const std::optional<Millis>& duration) {
  if (!duration) return std::nullopt;
  return static_cast<double>(duration->count()) / 1000.0;
}

void MigrationMetrics(Exposition& out, const core::StatusReport& report) {
  out.Gauge("migration_in_progress", "1 while a migration of the schema is in progress",
            report.active ? 1 : 0);
  if (!report.active) return;
  const core::MigrationRecord& a = *report.active;
  out.Gauge("migration_info",
            "the migration in progress: its name, schema, phase and version schema, as labels", 1,
            {{"migration", a.name},
             {"schema", a.schema},
             {"phase", core::PhaseName(a.phase)},
             {"version_schema", a.version_schema}});
  out.Gauge("migration_backfill_done", "1 once the backfill of every table has finished",
            a.backfill_done ? 1 : 0);
  out.Gauge("state_contradictions",
            "where tandem's records contradict the database (tandem status names each)",
            static_cast<double>(report.contradictions.size()));
}

using backfill::Progress;

// A gauge with a sample per backfilled table; a table for which `value` has
// nothing to say (an ETA nobody can give) gets no sample.
struct TableGauge {
  const char* name;
  const char* help;
  std::optional<double> (*value)(const Progress&);
};

constexpr TableGauge kTableGauges[] = {
    {"backfill_rows_done", "rows the backfill has walked, earlier runs included",
     [](const Progress& p) -> std::optional<double> { return p.rows_scanned; }},
    {"backfill_rows_estimated", "rows the table is estimated to hold",
     [](const Progress& p) -> std::optional<double> { return p.estimated_total; }},
    {"backfill_rows_per_second", "the backfill's rate in its current run",
     [](const Progress& p) -> std::optional<double> { return p.rows_per_second; }},
    {"backfill_eta_seconds", "time left at the current rate (absent while nothing moves)",
     [](const Progress& p) -> std::optional<double> {
       if (p.paused || !p.waiting_reason.empty()) return std::nullopt;
       return Seconds(p.eta);
     }},
    {"backfill_done", "1 once the table's backfill has finished",
     [](const Progress& p) -> std::optional<double> { return p.done ? 1 : 0; }},
    {"backfill_paused", "1 while the backfill is paused by tandem pause",
     [](const Progress& p) -> std::optional<double> { return p.paused ? 1 : 0; }},
    {"backfill_waiting", "1 while the backfill waits (paused, or held by a throttle)",
     [](const Progress& p) -> std::optional<double> { return p.waiting_reason.empty() ? 0 : 1; }},
    {"backfill_workers", "workers backfilling right now",
     [](const Progress& p) -> std::optional<double> { return p.workers; }},
    {"backfill_chunks", "chunks the current run has written",
     [](const Progress& p) -> std::optional<double> { return p.chunks; }},
    {"backfill_chunk_retries", "chunks the current run had to retry",
     [](const Progress& p) -> std::optional<double> { return p.retries; }},
    {"backfill_chunk_p99_seconds", "the 99th percentile of the current run's chunk durations",
     [](const Progress& p) { return Seconds(p.chunk_p99); }},
    {"backfill_chunk_max_seconds", "the current run's slowest chunk",
     [](const Progress& p) { return Seconds(p.chunk_max); }},
};

// A label value for a bucket's upper bound: the shortest text of the number.
std::string BoundText(double bound) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", bound);
  return text;
}

void ChunkHistogramMetrics(Exposition& out, const core::StatusReport& report) {
  out.Family("backfill_chunk_duration_seconds", "histogram",
             "how long the current run's chunks took");
  for (const auto& p : report.backfill) {
    const backfill::ChunkHistogram& h = p.chunk_histogram;
    if (h.counts.empty()) continue;
    long long cumulative = 0;
    for (size_t i = 0; i < std::size(backfill::kChunkSecondsBounds); ++i) {
      cumulative += h.counts[i];
      out.Sample(static_cast<double>(cumulative),
                 {{"table", p.table}, {"le", BoundText(backfill::kChunkSecondsBounds[i])}},
                 "_bucket");
    }
    out.Sample(static_cast<double>(h.Count()), {{"table", p.table}, {"le", "+Inf"}}, "_bucket");
    out.Sample(h.sum_seconds, {{"table", p.table}}, "_sum");
    out.Sample(static_cast<double>(h.Count()), {{"table", p.table}}, "_count");
  }
}

void BackfillMetrics(Exposition& out, const core::StatusReport& report) {
  for (const TableGauge& gauge : kTableGauges) {
    out.Family(gauge.name, "gauge", gauge.help);
    for (const auto& p : report.backfill) {
      std::optional<double> value = gauge.value(p);
      if (value) out.Sample(*value, {{"table", p.table}});
    }
  }
  ChunkHistogramMetrics(out, report);
  out.Family("backfill_state_info", "gauge",
             "the table's backfill state as a label (running, done, stopped, failed, not running)");
  for (const auto& p : report.backfill) out.Sample(1, {{"table", p.table}, {"state", p.state}});
  if (report.last_throttle) {
    out.Gauge("throttle_holding",
              "1 while a throttle holds the backfill, with the newest reason as a label",
              core::ThrottleHolds(*report.last_throttle) ? 1 : 0,
              {{"reason", report.last_throttle->event.detail}});
  }
}

// Per column of the newest verification's stored report: the rows whose new
// value disagrees with `up`/`down`, and the null ratio the drift check
// flagged. A report that cannot be read gives no samples (the pass/fail
// gauges above still stand).
void VerifyDetailMetrics(Exposition& out, const std::string& report_json) {
  nlohmann::json report = nlohmann::json::parse(report_json, nullptr, /*allow_exceptions=*/false);
  auto list = [&report](const char* key) {
    return report.is_object() && report.contains(key) && report[key].is_array()
               ? report[key]
               : nlohmann::json::array();
  };
  auto text = [](const nlohmann::json& item, const char* key) {
    return item.contains(key) && item[key].is_string() ? item[key].get<std::string>()
                                                       : std::string();
  };
  // One sample per label set: a column checked in parts adds up.
  std::map<Labels, double> mismatches;
  for (const auto& p : list("parity")) {
    if (!p.contains("mismatches") || !p["mismatches"].is_number()) continue;
    mismatches[{{"table", text(p, "table")},
                {"column", text(p, "column")},
                {"direction", text(p, "direction")}}] += p["mismatches"].get<double>();
  }
  std::map<Labels, double> drift;
  for (const auto& d : list("drift")) {
    if (!d.contains("flagged") || !d["flagged"].is_boolean()) continue;
    double& flagged = drift[{{"table", text(d, "table")}, {"column", text(d, "column")}}];
    flagged = std::max(flagged, d["flagged"].get<bool>() ? 1.0 : 0.0);
  }
  out.Family("verify_mismatches", "gauge",
             "rows of the newest verification whose new column disagrees with up/down");
  for (const auto& [labels, value] : mismatches) out.Sample(value, labels);
  out.Family("verify_drift_flagged", "gauge",
             "1 where the newest verification flagged a column's null or default ratio as drift");
  for (const auto& [labels, value] : drift) out.Sample(value, labels);
}

void VerifyMetrics(Exposition& out, const core::StatusReport& report) {
  out.Gauge("verify_runs_recorded", "1 once the migration in progress has a verification recorded",
            report.last_verify ? 1 : 0);
  if (!report.last_verify) return;
  const core::VerifyRun& v = *report.last_verify;
  out.Gauge("verify_passed", "1 when the newest verification passed", v.passed ? 1 : 0);
  out.Gauge("verify_flags",
            "the newest verification's flags (a bitmask: 1 parity, 2 count, 4 drift, 8 "
            "invariant, 16 scan incomplete, 32 backfill unfinished)",
            v.flags);
  out.Gauge("verify_parity_ratio", "the share of checked rows whose new columns agree (0 to 1)",
            v.parity_percent / 100.0);
  out.Gauge("verify_full", "1 when the newest verification checked every row, 0 for a partial one",
            v.full ? 1 : 0);
  VerifyDetailMetrics(out, v.report_json);
}

// The observation window since the newest switch: its state, time left
// and each signal against its threshold (a family per quantity, a sample
// per signal), as `tandem status` shows them.
void WindowMetrics(Exposition& out, const core::StatusReport& report) {
  if (!report.window) return;
  out.Gauge("switch_window_info",
            "the newest observation window's state (running, clean, breached, stopped), as a label",
            1, {{"state", report.window_state}});
  out.Gauge("switch_window_length_seconds", "how long the window watches", report.window->window_s);
  if (report.window_left_s) {
    out.Gauge("switch_window_left_seconds", "time left in the running window",
              *report.window_left_s);
  }
  struct Quantity {
    const char* name;
    const char* help;
    std::function<std::optional<double>(const observe::Reading&)> of;
  };
  const Quantity quantities[] = {
      {"switch_window_signal_value", "each signal's last value in the window",
       [](const observe::Reading& r) { return r.value; }},
      {"switch_window_signal_threshold",
       "each signal's threshold: above it (a probe's min: below) breaches",
       [](const observe::Reading& r) { return r.threshold; }},
      {"switch_window_signal_ok", "1 while the signal is within its threshold",
       [](const observe::Reading& r) { return std::optional<double>(r.ok ? 1 : 0); }},
  };
  for (const Quantity& q : quantities) {
    out.Family(q.name, "gauge", q.help);
    for (const auto& r : report.window->signals) {
      if (std::optional<double> value = q.of(r)) out.Sample(*value, {{"signal", r.name}});
    }
  }
}

// The file's alert thresholds, each with whether it fires now.
void AlertMetrics(Exposition& out, const core::StatusReport& report) {
  out.Family("alert_firing", "gauge",
             "1 while the alert fires (error_rate, replica_lag: the file's alerts section)");
  for (const auto& a : report.alerts) out.Sample(a.firing ? 1 : 0, {{"name", a.name}});
  out.Family("alert_threshold", "gauge",
             "each alert's threshold: error_rate in percent, replica_lag in seconds");
  for (const auto& a : report.alerts) out.Sample(a.threshold, {{"name", a.name}});
}

// Totals over the active migration's event log.
void EventLogMetrics(Exposition& out, const core::StatusReport& report) {
  const core::EventTotals& totals = report.totals;
  out.Family("throttle_seconds_total", "counter",
             "time throttles held the backfill, by kind of reason (counted when released)");
  for (const auto& [reason, seconds] : totals.throttle_seconds) {
    out.Sample(seconds, {{"reason", reason}});
  }
  out.Family("ddl_lock_retries_total", "counter",
             "DDL step attempts that waited for a lock past the lock timeout (or found the "
             "database busy) and were retried, by phase");
  for (const auto& [phase, retries] : totals.step_retries) {
    out.Sample(static_cast<double>(retries), {{"phase", phase}});
  }
  out.Family("hook_failures_total", "counter", "hook calls that failed or timed out");
  out.Sample(static_cast<double>(totals.hook_failures));
}

void GateMetrics(Exposition& out, const std::vector<gates::Gate>& gates) {
  out.Family("gate_open", "gauge",
             "1 when every condition of the transition's gate is met (tandem gates)");
  for (const auto& gate : gates) {
    out.Sample(gate.passed() ? 1 : 0, {{"gate", gate.name}, {"command", gate.command}});
  }
}

}  // namespace

std::string RenderMetrics(const MetricsOptions& options, const core::StatusReport& report,
                          bool database_up, const std::vector<gates::Gate>& gates) {
  Exposition out(options.prefix);
  out.Gauge("build_info", "tandem's version, as a label", 1, {{"version", options.version}});
  out.Gauge("database_up", "1 when tandem's records could be read from the database",
            database_up ? 1 : 0);
  if (database_up) {
    MigrationMetrics(out, report);
    BackfillMetrics(out, report);
    VerifyMetrics(out, report);
    WindowMetrics(out, report);
    if (report.active) {
      AlertMetrics(out, report);
      EventLogMetrics(out, report);
      GateMetrics(out, gates);
    }
  }
  return std::move(out).Text();
}

bool ValidMetricPrefix(const std::string& prefix) { return IsPrometheusName(prefix); }

}  // namespace tandem::serve
