#include "verify/report.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace tandem::verify {
namespace {

using nlohmann::json;

std::vector<std::string> FlagNames(int flags) {
  std::vector<std::string> names;
  if (flags & kParityMismatch) names.push_back("parity_mismatch");
  if (flags & kCountMismatch) names.push_back("count_mismatch");
  if (flags & kDrift) names.push_back("drift");
  if (flags & kInvariantViolation) names.push_back("invariant_violation");
  if (flags & kScanIncomplete) names.push_back("scan_incomplete");
  if (flags & kBackfillUnfinished) names.push_back("backfill_unfinished");
  return names;
}

const char* Verdict(const Report& r) {
  if (r.passed()) return "PASSED";
  return WaitsForBackfill(r.flags) ? "BACKFILL NOT FINISHED" : "FAILED";
}

std::string Percent(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f%%", value);
  return buf;
}

}  // namespace

std::string ReportToJson(const Report& r, int indent) {
  json parity = json::array();
  for (const auto& p : r.parity) {
    parity.push_back({{"table", p.table},
                      {"column", p.column},
                      {"direction", p.direction},
                      {"expression", p.expression},
                      {"skipped_because", p.skipped_because},
                      {"checked", p.checked},
                      {"mismatches", p.mismatches},
                      {"example_keys", p.example_keys},
                      {"key_ranges", p.key_ranges}});
  }
  json drift = json::array();
  for (const auto& d : r.drift) {
    drift.push_back({{"table", d.table},
                     {"column", d.column},
                     {"null_ratio", d.null_ratio},
                     {"expected_null_ratio", d.expected_null_ratio},
                     {"default_value", d.default_value},
                     {"default_ratio", d.default_ratio},
                     {"expected_default_ratio", d.expected_default_ratio},
                     {"flagged", d.flagged}});
  }
  json invariants = json::array();
  for (const auto& i : r.invariants) {
    invariants.push_back({{"name", i.name},
                          {"table", i.table},
                          {"check", i.check},
                          {"violations", i.violations},
                          {"example_keys", i.example_keys}});
  }
  json out = {{"migration", r.migration},
              {"passed", r.passed()},
              {"flags", r.flags},
              {"flag_names", FlagNames(r.flags)},
              {"full", r.full},
              {"sample_percent", r.sample_percent},
              {"rows", r.rows},
              {"not_backfilled", r.not_backfilled},
              {"backfill_finished", r.backfill_finished},
              {"parity_percent", r.parity_percent},
              {"parity_threshold", r.parity_threshold},
              {"drift_threshold", r.drift_threshold},
              {"confidence_low", r.confidence_low},
              {"scan_complete", r.scan_complete},
              {"incomplete_reason", r.incomplete_reason},
              {"parity", parity},
              {"drift", drift},
              {"invariants", invariants},
              {"duration_ms", r.duration_ms}};
  return out.dump(indent);
}

std::string ReportToText(const Report& r) {
  std::string text =
      "verify " + r.migration + ": " + Verdict(r) + " (" + std::to_string(r.rows) + " rows" +
      (r.sample_percent > 0 ? ", " + std::to_string(r.sample_percent) + "% sample" : "") +
      (r.full ? "" : ", incremental") + ")\n";
  text +=
      "  parity " + Percent(r.parity_percent) + " (threshold " + Percent(r.parity_threshold) + ")";
  if (r.flags & kBackfillUnfinished) {
    text += " over the " + std::to_string(r.rows - r.not_backfilled) + " rows reached";
  }
  if (r.sample_percent > 0)
    text += ", at least " + Percent(r.confidence_low) + " at 95% confidence";
  text += "\n";
  if (r.flags & kBackfillUnfinished) {
    text += "  backfill not finished: " + std::to_string(r.not_backfilled) +
            " rows not reached; run `tandem backfill`, then verify again\n";
  } else if (r.not_backfilled > 0) {
    text += "  " + std::to_string(r.not_backfilled) +
            " rows not backfilled yet: run `tandem backfill`\n";
  }
  for (const auto& p : r.parity) {
    if (!p.skipped_because.empty()) {
      text += "  " + p.table + "." + p.column + " (" + p.direction +
              ") not compared: " + p.skipped_because + "\n";
    }
    if (p.mismatches == 0) continue;
    text += "  " + p.table + "." + p.column + " (" + p.direction +
            "): " + std::to_string(p.mismatches) + " of " + std::to_string(p.checked) +
            " rows differ from " + p.expression + "\n";
    if (!p.example_keys.empty()) {
      text += "    keys:";
      for (const auto& k : p.example_keys) text += " " + k;
      text += "\n";
    }
  }
  for (const auto& d : r.drift) {
    if (!d.flagged) continue;
    text += "  drift " + d.table + "." + d.column + ": " + Percent(100 * d.null_ratio) +
            " NULL where the old columns imply " + Percent(100 * d.expected_null_ratio);
    if (!d.default_value.empty()) {
      text += ", " + Percent(100 * d.default_ratio) + " at the default " + d.default_value +
              " where they imply " + Percent(100 * d.expected_default_ratio);
    }
    text += "\n";
  }
  for (const auto& i : r.invariants) {
    text += "  invariant " + i.name + " (" + i.check + "): " + std::to_string(i.violations) +
            " violations";
    for (const auto& k : i.example_keys) text += " " + k;
    text += "\n";
  }
  if (!r.scan_complete) text += "  scan incomplete: " + r.incomplete_reason + "\n";
  if (!r.passed() && !WaitsForBackfill(r.flags)) {
    text +=
        "  fix the data (`tandem verify --repair` re-backfills mismatching rows), or "
        "`tandem rollback`\n";
  }
  return text;
}

namespace {

// Wilson score lower bound (95%) of the share of matching rows in a sample.
double ConfidenceLow(long long matching, long long rows) {
  if (rows == 0) return 0;
  constexpr double kZ = 1.96;
  double n = static_cast<double>(rows);
  double p = matching / n;
  double centre = p + kZ * kZ / (2 * n);
  double margin = kZ * std::sqrt(p * (1 - p) / n + kZ * kZ / (4 * n * n));
  return 100.0 * (centre - margin) / (1 + kZ * kZ / n);
}

}  // namespace

void SetFlags(Report& report, long long mismatching_rows) {
  bool unfinished = !report.backfill_finished && report.not_backfilled > 0;
  long long compared = report.rows - (unfinished ? report.not_backfilled : 0);
  long long bad = mismatching_rows + (unfinished ? 0 : report.not_backfilled);
  report.parity_percent =
      compared == 0 ? 100.0 : 100.0 * static_cast<double>(compared - bad) / compared;
  if (report.sample_percent > 0) {
    report.confidence_low = ConfidenceLow(compared - bad, compared);
  }
  if (report.parity_percent < report.parity_threshold) report.flags |= kParityMismatch;
  if (unfinished) report.flags |= kBackfillUnfinished;
  for (const auto& d : report.drift) {
    if (d.flagged) report.flags |= kDrift;
  }
  for (const auto& i : report.invariants) {
    if (i.violations > 0) report.flags |= kInvariantViolation;
  }
  if (!report.scan_complete) report.flags |= kScanIncomplete;
}

Status FinishReport(Report& report, const Status& scan, long long mismatching_rows,
                    double duration_ms) {
  if (!scan.ok()) {
    if (scan.kind() == ErrorKind::kConnection) return scan;
    report.scan_complete = false;
    report.incomplete_reason = scan.message();
  }
  SetFlags(report, mismatching_rows);
  report.duration_ms = duration_ms;
  return Status::Ok();
}

}  // namespace tandem::verify
