// Computes the new columns of the rows ahead of the SQLite backfill, on
// connections and threads of their own, so that the backfill's write
// transactions only store values.
//
// Evaluating `up` is most of the work of filling a column (for the demo's
// migration about two thirds of a single UPDATE's time). SQLite has one
// writer, but in WAL mode readers run beside it without blocking anyone:
// here `up` is evaluated in short read transactions, by `readers` threads
// on batches of consecutive rows, while the write lock is held only to
// store the results by rowid. Batches are handed over in rowid order.
//
// A row is computed only while it carries no marker, and its values are
// stored only if it still carries none (backfill/sqlite/backfill.cc). Every write of
// the application since the expand, through either version, sets the
// marker (the dual-write triggers), so a stored value was computed from the
// row as it still is. Like the single statement it replaces, an `up` that
// reads other tables or the clock sees them as they were when it ran.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "backends/backend.h"
#include "backfill/types.h"

namespace tandem::backfill {

// The rows of one rowid range that had no marker when it was read.
struct ComputedBatch {
  long long after = 0;  // the range is rowids after..upto
  long long upto = 0;
  // Each row: its rowid, then the value of each `up` column.
  std::vector<backend::TypedRow> rows;
};

// The statements a reader runs over rows without a marker, each with `$1`
// the rowid after which and `$2` the last rowid: of the walk for
// batch_end, of the batch for the others.
struct UpQueries {
  // The rowid of the last of the next kBatchRows rows: where a batch ends.
  std::string batch_end;
  // The rowid and the `up` values of every row, in rowid order.
  std::string compute;
  // Just the first rowid: after a batch failed, it names the row `up`
  // fails on.
  std::string first;
};

class UpPrefetch {
 public:
  // Rows per batch, and how many computed rows may wait here before the
  // readers pause (the writer holds at most as many more, taken but not
  // stored yet).
  static constexpr long long kBatchRows = 1024;
  static constexpr size_t kBufferRows = 32 * 1024;

  // Opens `readers` connections and starts computing the rows after
  // rowid `after` up to `end`.
  static Result<std::unique_ptr<UpPrefetch>> Start(const Connector& connect, int readers,
                                                   UpQueries queries, long long after,
                                                   long long end, const Options& options);
  ~UpPrefetch();
  UpPrefetch(const UpPrefetch&) = delete;
  UpPrefetch& operator=(const UpPrefetch&) = delete;

  // Waits until `rows` rows can be taken, a failure can be, the walk is
  // over, or `patience` has passed.
  void WaitFor(size_t rows, Millis patience);
  // The batches computed so far that follow the last one taken, in rowid
  // order. An error once every batch before the failed one was taken; the
  // error names the row's rowid when `up` failed on one.
  Result<std::vector<ComputedBatch>> Take();
  // Every batch of the walk was computed and taken.
  bool Exhausted();

 private:
  // A batch as a reader left it: the rows computed, and the error that
  // stopped it (with the rows before the failing one).
  struct Outcome {
    ComputedBatch batch;
    std::optional<Status> failure;
  };
  struct Claim {
    long long sequence = 0;
    long long after = 0;
    long long upto = 0;
  };

  UpPrefetch(UpQueries queries, long long after, long long end, const Options& options);
  void Run(backend::Connection& conn);
  // The next range for a reader; nullopt once the walk is claimed or failed.
  std::optional<Claim> NextClaim(backend::Connection& conn);
  Outcome Compute(backend::Connection& conn, const Claim& claim);
  // After a batch failed: the rows before the one that fails, and its error.
  Outcome PinDownFailingRow(backend::Connection& conn, const Claim& claim, Status failure);
  void Deliver(long long sequence, Outcome outcome);
  bool Full() const;  // with mutex_ held
  // Rows of the batches done that follow the last one taken, up to the
  // first missing one or the first that failed (with mutex_ held).
  size_t RowsInOrder(bool& failure_in_order) const;
  template <typename Fn>
  auto WithRetries(const Fn& attempt) -> decltype(attempt());

  const UpQueries queries_;
  const long long end_;
  const Options& options_;
  std::vector<std::unique_ptr<backend::Connection>> connections_;
  std::vector<std::thread> threads_;

  // The walk's cursor, moved by one reader at a time.
  std::mutex claim_mutex_;
  long long next_after_;
  long long next_sequence_ = 0;
  bool claimed_all_ = false;

  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<long long, Outcome> done_;  // by sequence
  long long next_to_take_ = 0;
  size_t done_rows_ = 0;
  std::optional<Status> failure_;  // taken in order, returned by Take
  int running_ = 0;
  bool stopping_ = false;
};

}  // namespace tandem::backfill
