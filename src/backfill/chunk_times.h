// The durations of a backfill run's chunks, kept in bounded memory: the
// count, mean and slowest exactly, and the 99th percentile from a uniform
// sample of at most kSampleSize durations (exact while the run has no more
// chunks than that). A run of millions of chunks costs the same few KiB.
//
// Not thread-safe: the caller serializes Add and the reads.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "common/duration.h"

namespace tandem::backfill {

class ChunkTimes {
 public:
  static constexpr size_t kSampleSize = 4096;

  void Add(Millis took);
  long long Count() const { return count_; }
  // Unset until a chunk was added.
  std::optional<Millis> P99() const;
  std::optional<Millis> Max() const;
  std::optional<double> MeanMs() const;

 private:
  long long count_ = 0;
  double sum_ms_ = 0;
  Millis max_{0};
  std::vector<Millis> sample_;
  std::minstd_rand random_{20261207};  // fixed seed: the same run, the same figures
};

}  // namespace tandem::backfill
