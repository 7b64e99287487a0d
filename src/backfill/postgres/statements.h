// Every SQL statement the backfill runs on PostgreSQL, in one place, so that
// another engine's variant can sit beside it. The logic (ranges, workers,
// checkpoints) only asks this class for statement text and parameters.
//
// A table is walked along its key (primary key, else a unique NOT NULL key)
// in keyset order, or, when it has neither, along its pages by ctid, which
// PostgreSQL 14+ reads with a TID range scan.
#pragma once

#include <string>
#include <vector>

#include "backfill/key_range.h"
#include "plan/plan.h"

namespace tandem::backfill {

// A statement with its parameters.
struct Statement {
  std::string sql;
  std::vector<backend::Value> params;
};

class PgStatements {
 public:
  PgStatements(const std::string& schema, const plan::TableSync& sync,
               const std::string& state_schema, long long migration_id);

  bool by_ctid() const { return key_columns_.empty(); }
  size_t key_count() const { return key_columns_.size(); }
  // For walks by ctid: how many rows a page holds, to turn chunk sizes (in
  // rows) into pages.
  void set_rows_per_page(double rows) { rows_per_page_ = rows > 1 ? rows : 1; }
  const std::string& table() const { return table_name_; }
  // The qualified table, for messages.
  const std::string& qualified_table() const { return table_; }

  // To run once on a backfill session: when the chunk computes `up` itself,
  // the dual-write trigger skips the session's rows.
  // Also names the session kBackfillApplication, which WaitersOnBackfill
  // looks for.
  std::string SessionSetup() const;
  // How many sessions of the database wait on a lock a backfill session
  // holds (one number, no parameters).
  static std::string WaitersOnBackfill();
  // One chunk of `range`: up to `size` keys after its last key (or from its
  // lower bound), or the pages [first_page, first_page + size) when walking
  // by ctid. Marks the unmarked rows and sets their new columns to `up` (as
  // the trigger would) and, in the same statement and so the same transaction, moves the
  // range's checkpoint, if it is still where `range` says (a chunk of a
  // killed runner may commit after its successor read the checkpoint).
  // Returns one row: keys seen, rows marked, checkpoints moved (0 or 1),
  // whether the range is done, then the new last key.
  Statement Chunk(const KeyRange& range, long long size) const;
  // The key of the first row a chunk of `range` would read: the failing row
  // once a chunk of one row fails.
  Statement FirstKey(const KeyRange& range) const;

  // The key `offset` rows into what is left of `range`: where to split it.
  Statement KeyAtOffset(const KeyRange& range, long long offset) const;
  // Stores a range's new upper bound and estimate after a split.
  Statement SetUpper(const KeyRange& range) const;
  // The greatest key of the table (no row when it is empty).
  Statement MaxKey() const;
  // Whether the table has any row ("t" or "f").
  Statement HasRows() const;
  // Table statistics: reltuples, pages, bytes, rows modified since the last
  // ANALYZE (-1 when unknown).
  Statement TableStats() const;
  // The histogram bounds of a single-column key, in order.
  Statement HistogramBounds() const;
  // The first key of each of `buckets` equal parts of a sample of
  // `percent`% of the table (beyond the first part), plus the sample size.
  Statement SampleBounds(int buckets, double percent) const;
  std::string Vacuum() const { return "VACUUM " + table_; }
  std::string Analyze() const { return "ANALYZE " + table_; }

  // The size of each valid index of the table, stored beside the
  // checkpoints when the backfill starts (a resumed run keeps the first).
  Statement RecordIndexSizes() const;
  // The indexes recorded at the start that are now more than `growth` times
  // that size: name, bytes at the start, bytes now.
  Statement GrownIndexes(double growth) const;
  // Invalid indexes that a cancelled REINDEX CONCURRENTLY of `index` left
  // on the table (PostgreSQL names them index_ccnew or index_ccold, with a
  // number when taken, and `index` shortened to fit 63 bytes); its
  // documentation says to drop them.
  Statement LeftoverRebuilds(const std::string& index) const;
  std::string Reindex(const std::string& index) const;
  std::string DropIndex(const std::string& index) const;

  // Checkpoints of this table.
  Statement LoadRanges() const;
  Statement LoadRange(int number) const;
  Statement InsertRange(const KeyRange& range) const;
  // The run row `tandem status` reads: state, rate, ETA, workers, reason,
  // the chunk durations (ChunkHistogram::ToText); `starting` resets the
  // time the run's rate counts from.
  Statement SaveRun(const std::string& state, double rows_per_second, long long eta_ms, int workers,
                    int max_workers, int chunk_size, int retries, const std::string& waiting_reason,
                    long long estimated_total, const std::string& chunk_histogram,
                    bool starting) const;
  static Statement ReadProgress(const std::string& state_schema, long long migration_id);
  static std::string CreateTables(const std::string& state_schema);

 private:
  std::string KeySetChunk(const KeyRange& range, long long size, Statement& out) const;
  std::string CtidChunk(const KeyRange& range, long long size, Statement& out) const;
  // "(k1, k2) > ($n, $m) AND ..." for the bounds of `range`, appending the
  // values to `out.params`.
  std::string KeyBounds(const KeyRange& range, Statement& out) const;
  static std::string Counts(const std::string& scanned, const std::string& done);
  std::string StopAfter(const KeyRange& range, Statement& out) const;
  // "UPDATE table AS new SET marker = 'o', new columns = up ... WHERE ".
  std::string MarkRows() const;
  std::string CheckpointUpdate(const std::string& last_key, const KeyRange& range, long long size,
                               Statement& out) const;

  std::string schema_;
  std::string table_name_;
  std::string table_;                     // qualified
  std::vector<std::string> key_columns_;  // quoted
  std::vector<std::string> key_names_;    // as in the catalog
  std::string checkpoints_;               // qualified
  std::string runs_;                      // qualified
  std::string index_sizes_;               // qualified
  std::string migration_id_;
  std::string set_up_;  // ", col = (up), ..." for the new columns
  double rows_per_page_ = 100;
};

// `n - 1` bounds that split `sorted` (e.g. histogram bounds) into `n` parts
// of about equal population; duplicates dropped.
std::vector<std::string> PickBounds(const std::vector<std::string>& sorted, int n);

}  // namespace tandem::backfill
