#include "backfill/types.h"

#include <algorithm>

#include "common/strings.h"

namespace tandem::backfill {

std::string UpExpressions(const plan::TableSync& sync) {
  std::vector<std::string> parts;
  for (const auto& c : sync.up) parts.push_back(c.expression);
  return Join(parts, "; ");
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
