// What both engines' backfills share: the options a backfill runs with, the
// control decisions it asks for before each chunk, the progress it reports,
// and where its checkpoints are kept. The engine's entry points are
// backfill/postgres/backfill.h and backfill/sqlite/backfill.h.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "plan/plan.h"

namespace tandem::backfill {

// What the backfill should do before its next chunk.
enum class Control {
  kContinue,
  kPause,     // a person asked to wait (`tandem pause`): polled again after a second
  kThrottle,  // the database needs relief (replica lag, load, rate, window): wait, then ask again
  kStop,      // stop cleanly (signal, --backfill-max-runtime); the work done so far stays
};

// A Control with the reason a person is shown while it holds, e.g.
// "replica lag 7.2s > 5s on replica1:5433".
struct Decision {
  Control control = Control::kContinue;
  std::string reason;
};

// Tables at least this big are vacuumed during the backfill unless
// `vacuum_every` says otherwise.
inline constexpr long long kAutoVacuumTableBytes = 1LL << 30;

inline constexpr Millis kDefaultReconnectWindow{60 * 1000};

struct Options {
  std::optional<int> batch_size;  // fixed chunk size; else sized to target_chunk_time
  Millis target_chunk_time{200};
  // The target while the application waits on rows an in-flight chunk
  // holds (its update of such a row waits for the chunk to commit, so the
  // chunk time bounds the wait): for contention_hold after the last wait seen.
  Millis contended_chunk_time{20};
  Millis contention_hold{10 * 1000};
  // For this long after it starts, the backfill aims at contended_chunk_time
  // as if the application had waited: a short backfill would be over before
  // the check for waits saw one, and the first full-size chunks would set
  // the application's worst latencies. Short chunks cost no throughput to
  // speak of (bench/README.md). 0 aims at target_chunk_time from the first
  // chunk, as the runner does when the target is given explicitly.
  Millis gentle_start{10 * 1000};
  int min_batch = 100;
  int max_batch = 50000;
  int first_batch = 1000;
  // A chunk that takes this long is cancelled and retried smaller.
  Millis chunk_timeout{30 * 1000};
  int max_attempts = 6;  // per chunk, for retryable errors
  Millis backoff_base{200};
  // A lost connection is retried for this long, whatever max_attempts says:
  // a server that crashed or restarts is back within it.
  Millis reconnect_window{kDefaultReconnectWindow};
  // Workers, each with its own connection.
  int concurrency = 2;
  // VACUUM the table after every this many rows written; 0 never. Unset:
  // tables of kAutoVacuumTableBytes or more every tenth of their rows.
  std::optional<long long> vacuum_every;
  // How often progress is reported (and stored for `tandem status`).
  Millis progress_interval{1000};
  // A worker set aside while throttled comes back after this long without
  // a throttle decision.
  Millis scale_up_after{5000};
  // Asked before every chunk, by every worker (calls are serialized);
  // nullptr means always kContinue.
  std::function<Decision()> control;
  // Told the rows of every chunk as it commits, from the worker's thread
  // (e.g. for a rate cap); nullptr: nobody.
  std::function<void(long long rows)> chunk_done;
};

// Where the checkpoints of one migration are kept (tandem's state schema).
struct CheckpointStore {
  std::string state_schema;
  long long migration_id = 0;
};

// The chunk durations of a backfill run as a histogram, so a dashboard can
// aggregate them (percentiles over tables and time) as Prometheus does.
// counts[i] is the chunks that took at most kChunkSecondsBounds[i] and more
// than the bound before; the last count is the chunks above every bound.
inline constexpr double kChunkSecondsBounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                 0.5,   1,    2.5,   5,    10};
struct ChunkHistogram {
  std::vector<long long> counts;  // empty until a chunk was timed
  double sum_seconds = 0;

  void Add(Millis took);
  long long Count() const;
  // "c0 c1 ... cN sum" as the checkpoints keep it; "" when empty.
  std::string ToText() const;
  // ToText's text back; an empty histogram for "", kInvalidInput for text
  // of another shape.
  static Result<ChunkHistogram> FromText(const std::string& text);
};

struct Progress {
  std::string table;
  long long rows_scanned = 0;  // of the whole backfill of the table, earlier runs included
  long long rows_updated = 0;
  long long estimated_total = 0;
  int chunks = 0;
  int batch_size = 0;  // of the last chunk
  int retries = 0;
  int workers = 0;      // working right now
  int max_workers = 0;  // --concurrency
  int ranges_done = 0;
  int ranges_total = 0;
  double rows_per_second = 0;  // in this run
  std::optional<Millis> eta;
  bool paused = false;
  bool done = false;
  // Why the backfill waits right now (paused or throttled); empty while it runs.
  std::string waiting_reason;
  Millis elapsed{0};
  // How long this run's chunks took: the 99th percentile and the slowest
  // (unset until a chunk finished, and where chunks are not timed).
  std::optional<Millis> chunk_p99;
  std::optional<Millis> chunk_max;
  std::optional<double> chunk_mean_ms;
  ChunkHistogram chunk_histogram;  // this run's
  // Chunks aim at Options::contended_chunk_time right now, either because
  // the application waited on the backfill's row locks (short_chunks) or
  // because the backfill just started (gentle_start).
  bool short_chunks = false;
  bool gentle_start = false;
  // Filled when read back for `tandem status`: running, done, stopped,
  // failed, or "not running" when its runner stopped reporting.
  std::string state;
  std::string updated_at;
};

using ProgressCallback = std::function<void(const Progress&)>;
using Connector = std::function<Result<std::unique_ptr<backend::Connection>>()>;

// The table's `up` expressions, for error messages.
std::string UpExpressions(const plan::TableSync& sync);

// For progress read back for status: paused from its waiting reason, and
// "running" left behind by a runner that stopped without a word (`silent`:
// its record was not updated for a while) said as "not running"; a table
// nobody runs has no workers and no ETA.
void SettleReadProgress(Progress& p, bool silent);

// Sets p.rows_per_second and p.eta from the rows this run scanned in
// p.elapsed (p.rows_scanned counts earlier runs too).
void EstimateRate(Progress& p, long long scanned_this_run);

}  // namespace tandem::backfill
