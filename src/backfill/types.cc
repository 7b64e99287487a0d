#include "backfill/types.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <sstream>

#include "common/strings.h"

namespace tandem::backfill {

std::string UpExpressions(const plan::TableSync& sync) {
  std::vector<std::string> parts;
  for (const auto& c : sync.up) parts.push_back(c.expression);
  return Join(parts, "; ");
}

void ChunkHistogram::Add(Millis took) {
  constexpr size_t kBounds = std::size(kChunkSecondsBounds);
  if (counts.empty()) counts.assign(kBounds + 1, 0);
  double seconds = static_cast<double>(took.count()) / 1000.0;
  size_t bucket = 0;
  while (bucket < kBounds && seconds > kChunkSecondsBounds[bucket]) ++bucket;
  ++counts[bucket];
  sum_seconds += seconds;
}

long long ChunkHistogram::Count() const {
  long long total = 0;
  for (long long c : counts) total += c;
  return total;
}

std::string ChunkHistogram::ToText() const {
  if (counts.empty()) return "";
  std::string text;
  for (long long c : counts) text += std::to_string(c) + " ";
  char sum[32];
  std::snprintf(sum, sizeof sum, "%.6f", sum_seconds);
  return text + sum;
}

Result<ChunkHistogram> ChunkHistogram::FromText(const std::string& text) {
  ChunkHistogram histogram;
  if (text.empty()) return histogram;
  std::istringstream in(text);
  std::vector<double> numbers;
  double number = 0;
  while (in >> number) numbers.push_back(number);
  if (!in.eof() || numbers.size() != std::size(kChunkSecondsBounds) + 2) {
    return Status::InvalidInput(
        "the chunk durations \"" + text + "\" recorded with the backfill are not " +
        std::to_string(std::size(kChunkSecondsBounds) + 1) + " counts and a sum");
  }
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    histogram.counts.push_back(static_cast<long long>(numbers[i]));
  }
  histogram.sum_seconds = numbers.back();
  return histogram;
}

void SettleReadProgress(Progress& p, bool silent) {
  p.paused = p.waiting_reason.rfind("paused", 0) == 0;
  if (p.state == "running" && silent) p.state = "not running";
  if (p.state != "running") {
    p.workers = 0;
    p.eta.reset();
  }
}

void EstimateRate(Progress& p, long long scanned_this_run) {
  double seconds = static_cast<double>(p.elapsed.count()) / 1000.0;
  p.rows_per_second = seconds > 0 ? static_cast<double>(scanned_this_run) / seconds : 0;
  // Rows inserted meanwhile make the estimate too small: never show more
  // than 100%.
  p.estimated_total = std::max(p.estimated_total, p.rows_scanned);
  if (p.rows_per_second > 0) {
    double left = static_cast<double>(p.estimated_total - p.rows_scanned);
    p.eta = Millis(static_cast<long long>(left / p.rows_per_second * 1000.0));
  }
}

}  // namespace tandem::backfill
