#include "diff/pass.h"

#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <system_error>

namespace tandem::verify {
namespace {

// Chunk ranges in key order, written by the walker and read by both summing
// threads. Any thread's error stops all three.
class ChunkBoundaries {
 public:
  void Publish(KeyRange range, bool last) {
    std::lock_guard<std::mutex> lock(mutex_);
    ranges_.push_back(std::move(range));
    complete_ = last;
    changed_.notify_all();
  }

  void Stop(const Status& error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (error_.ok()) error_ = error;
    changed_.notify_all();
  }

  bool Stopped() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return !error_.ok();
  }

  // A chunk already published, also after Stop.
  KeyRange At(size_t index) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return ranges_.at(index);
  }

  // Waits for the index-th chunk; nullopt past the last one. After Stop,
  // the error.
  Result<std::optional<KeyRange>> Get(size_t index) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return !error_.ok() || index < ranges_.size() || complete_; });
    if (!error_.ok()) return error_;
    if (index < ranges_.size()) return std::optional<KeyRange>(ranges_[index]);
    return std::optional<KeyRange>();
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<KeyRange> ranges_;
  bool complete_ = false;
  Status error_;
};

// Publishes chunks of chunk_rows source keys; the last one is open-ended so
// that target keys past the source's last key are summed too.
Status WalkChunks(Scanner& walker, long long chunk_rows, ChunkBoundaries& boundaries) {
  std::optional<KeyValues> after;
  while (!boundaries.Stopped()) {
    Result<std::optional<KeyValues>> through = walker.KeyAt({after, std::nullopt}, chunk_rows - 1);
    if (!through.ok()) {
      boundaries.Stop(through.status());
      return through.status();
    }
    bool last = !through->has_value();
    boundaries.Publish({after, *through}, last);
    if (last) break;
    after = std::move(*through);
  }
  return Status::Ok();
}

struct SideSums {
  std::vector<Checksum> chunks;
  PartitionSums partitions;
};

Result<Checksum> SumChunk(Scanner& scanner, const KeyRange& range, bool by_partition,
                          PartitionSums& partitions) {
  if (!by_partition) return scanner.Sum(range);
  TANDEM_ASSIGN_OR_RETURN(PartitionSums sums, scanner.SumByPartition(range));
  Checksum total;
  for (const auto& [partition, checksum] : sums) {
    partitions[partition] += checksum;
    total += checksum;
  }
  return total;
}

Status SumChunks(Scanner& scanner, bool by_partition, ChunkBoundaries& boundaries, SideSums& sums,
                 const std::function<void(long long)>& after_chunk) {
  long long rows = 0;
  for (size_t i = 0;; ++i) {
    TANDEM_ASSIGN_OR_RETURN(std::optional<KeyRange> range, boundaries.Get(i));
    if (!range) return Status::Ok();
    Result<Checksum> sum = SumChunk(scanner, *range, by_partition, sums.partitions);
    if (!sum.ok()) {
      boundaries.Stop(sum.status());
      return sum.status();
    }
    sums.chunks.push_back(*sum);
    rows += sum->rows;
    if (after_chunk) after_chunk(rows);
  }
}

// Runs `work` on a thread of its own, or right here when none can be had.
std::future<Status> Start(std::function<Status()> work) {
  try {
    return std::async(std::launch::async, work);
  } catch (const std::system_error&) {
    std::promise<Status> done;
    done.set_value(work());
    return done.get_future();
  }
}

}  // namespace

FirstPass RunFirstPass(Scanner& source, Scanner& target, Scanner* walker,
                       const DiffOptions& options) {
  ChunkBoundaries boundaries;
  bool by_partition = !options.partition_by.empty();
  SideSums source_sums;
  SideSums target_sums;
  std::future<Status> walked;
  Status walk_status;
  if (walker != nullptr) {
    walked = Start([&] { return WalkChunks(*walker, options.chunk_rows, boundaries); });
  } else {
    walk_status = WalkChunks(source, options.chunk_rows, boundaries);
  }
  std::future<Status> target_done =
      Start([&] { return SumChunks(target, by_partition, boundaries, target_sums, nullptr); });
  Status source_status = SumChunks(source, by_partition, boundaries, source_sums, options.on_chunk);
  Status target_status = target_done.get();
  if (walked.valid()) walk_status = walked.get();

  FirstPass pass;
  size_t compared = std::min(source_sums.chunks.size(), target_sums.chunks.size());
  for (size_t i = 0; i < compared; ++i) {
    pass.chunks.push_back({boundaries.At(i), source_sums.chunks[i], target_sums.chunks[i]});
  }
  for (const auto& [partition, sums] : source_sums.partitions)
    pass.partitions[partition].first = sums;
  for (const auto& [partition, sums] : target_sums.partitions) {
    pass.partitions[partition].second = sums;
  }
  for (const Status* status : {&walk_status, &source_status, &target_status}) {
    if (pass.status.ok()) pass.status = *status;
  }
  return pass;
}

}  // namespace tandem::verify
