// Fills the new version's columns of existing rows, in chunks that walk the
// table's key in order (keyset, never OFFSET), each chunk its own short
// transaction so the application's writers wait for at most one chunk.
//
// A chunk only marks rows as backfilled; the dual-write trigger (old-version
// path) computes `up` for them, so the backfill and live writes share one
// definition of the new columns. Rows already marked (written by the
// application since the trigger was installed, through either version) are
// skipped: a row written through the new version is never overwritten.
// Restarting after a crash simply walks again; marked rows cost a read only.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "backends/backend.h"
#include "plan/plan.h"

namespace tandem::backfill {

// What the backfill should do before its next chunk.
enum class Control {
  kContinue,
  kPause,     // a person asked to wait (`tandem pause`): polled again after a second
  kThrottle,  // the database needs relief (replica lag, load, rate, window): wait, then ask again
  kStop,      // stop cleanly (signal, --max-runtime); the work done so far stays
};

// A Control with the reason a person is shown while it holds, e.g.
// "replica lag 7.2s > 5s on replica1:5433".
struct Decision {
  Control control = Control::kContinue;
  std::string reason;
};

struct Options {
  std::optional<int> batch_size;  // fixed chunk size; else sized to target_chunk_time
  Millis target_chunk_time{200};
  int min_batch = 100;
  int max_batch = 50000;
  int first_batch = 1000;
  // A chunk that takes this long is cancelled and retried smaller.
  Millis chunk_timeout{30 * 1000};
  int max_attempts = 6;  // per chunk, for retryable errors
  Millis backoff_base{200};
  // Asked before every chunk; nullptr means always kContinue.
  std::function<Decision()> control;
};

struct Progress {
  std::string table;
  long long rows_scanned = 0;
  long long rows_updated = 0;
  long long estimated_total = 0;
  int chunks = 0;
  int batch_size = 0;  // of the last chunk
  int retries = 0;
  bool paused = false;
  // Why the backfill waits right now (paused or throttled); empty while it runs.
  std::string waiting_reason;
  Millis elapsed{0};
};

using ProgressCallback = std::function<void(const Progress&)>;

// Backfills one table. Lock timeouts, serialization failures, deadlocks and
// statement timeouts are retried with jittered exponential backoff (a timed
// out chunk also gets smaller). A data error in `up` is narrowed down to the
// failing row, whose key the error names. A stop request ends it cleanly
// between chunks (kRefused "stopped"); everything done so far stays.
Result<Progress> BackfillTable(backend::Connection& conn, const std::string& schema,
                               const plan::TableSync& sync, const Options& options,
                               const ProgressCallback& on_progress);

}  // namespace tandem::backfill
