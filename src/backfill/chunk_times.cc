#include "backfill/chunk_times.h"

#include <algorithm>

namespace tandem::backfill {

void ChunkTimes::Add(Millis took) {
  ++count_;
  sum_ms_ += static_cast<double>(took.count());
  max_ = std::max(max_, took);
  if (sample_.size() < kSampleSize) {
    sample_.push_back(took);
    return;
  }
  // Reservoir sampling: every chunk so far stays in the sample with the
  // same chance, kSampleSize / count_.
  std::uniform_int_distribution<long long> slot(0, count_ - 1);
  long long at = slot(random_);
  if (at < static_cast<long long>(kSampleSize)) sample_[static_cast<size_t>(at)] = took;
}

std::optional<Millis> ChunkTimes::P99() const {
  if (sample_.empty()) return std::nullopt;
  std::vector<Millis> times = sample_;
  // The smallest duration that at least 99% of the chunks do not exceed.
  size_t rank = (times.size() * 99 + 99) / 100 - 1;
  std::nth_element(times.begin(), times.begin() + static_cast<long>(rank), times.end());
  return times[rank];
}

std::optional<Millis> ChunkTimes::Max() const {
  if (count_ == 0) return std::nullopt;
  return max_;
}

std::optional<double> ChunkTimes::MeanMs() const {
  if (count_ == 0) return std::nullopt;
  return sum_ms_ / static_cast<double>(count_);
}

}  // namespace tandem::backfill
