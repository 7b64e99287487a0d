// Sizes chunks so each takes about the target time: grows at most 1.5x per
// chunk (a fast chunk says little about the next, bigger one), shrinks at
// once after a slow one, within [min_batch, max_batch]. A fixed batch_size
// turns it off. One per worker; not thread-safe.
#pragma once

#include <algorithm>

#include "backfill/types.h"

namespace tandem::backfill {

inline constexpr double kMaxGrowth = 1.5;

class ChunkSizer {
 public:
  explicit ChunkSizer(const Options& options)
      : options_(options),
        size_(options.batch_size.value_or(
            std::clamp(options.first_batch, options.min_batch, options.max_batch))) {}

  int size() const { return size_; }

  void Observe(Millis took) { Observe(took, options_.target_chunk_time); }
  // The same against a target other than the configured one (see
  // Coordinator::TargetChunkTime).
  void Observe(Millis took, Millis target) {
    if (options_.batch_size) return;
    double ratio = static_cast<double>(target.count()) / std::max<long long>(1, took.count());
    double next = size_ * std::min(ratio, kMaxGrowth);
    size_ = static_cast<int>(std::clamp<double>(next, options_.min_batch, options_.max_batch));
  }

  // After a statement timeout: the chunk was far too big.
  void Shrink() { size_ = std::max(1, size_ / 2); }

 private:
  const Options& options_;
  int size_;
};

}  // namespace tandem::backfill
