// The backfill of one table as a list of passes: read the table's facts,
// load (or plan and store) its ranges, run the workers while reporting
// progress, then ANALYZE and, under bloat control, rebuild the indexes the
// backfill bloated.
#include "backfill/postgres/backfill.h"

#include <deque>
#include <thread>

#include "backfill/control_wait.h"
#include "backfill/coordinator.h"
#include "backfill/postgres/checkpoints.h"
#include "backfill/postgres/index_rebuild.h"
#include "backfill/postgres/range_planner.h"
#include "backfill/postgres/worker.h"
#include "common/log.h"
#include "common/strings.h"

namespace tandem::backfill {
namespace {

using Clock = std::chrono::steady_clock;

// Ranges per worker: more ranges than workers let a worker that finishes
// early take the next range instead of idling while a slow one works.
constexpr int kRangesPerWorker = 4;
// How often the application's sessions are checked for waits on the
// backfill's row locks (Coordinator::ObserveWaiters).
constexpr Millis kWaitersPoll{100};
// Without a vacuum_every, big tables are vacuumed every tenth of their rows.
constexpr long long kAutoVacuumParts = 10;
constexpr long long kMinAutoVacuumRows = 100000;

long long VacuumEvery(const Options& options, const TableFacts& facts, long long total) {
  if (options.vacuum_every) return *options.vacuum_every;
  if (facts.bytes < kAutoVacuumTableBytes) return 0;
  return std::max(kMinAutoVacuumRows, total / kAutoVacuumParts);
}

// The stored ranges, or a fresh split stored before any chunk runs.
Result<std::vector<KeyRange>> RangesOf(backend::Connection& conn, const PgStatements& statements,
                                       const TableFacts& facts, const Options& options) {
  TANDEM_ASSIGN_OR_RETURN(std::vector<KeyRange> ranges, LoadRanges(conn, statements));
  if (!ranges.empty()) return ranges;
  int count = std::max(1, options.concurrency * kRangesPerWorker);
  TANDEM_ASSIGN_OR_RETURN(ranges, PlanRanges(conn, statements, facts, count));
  // An empty table is done before any chunk: a chunk's UPDATE would still
  // plan `up`, and a constant in it could fail with no row to blame. Rows
  // inserted from now on get their values from the dual-write trigger.
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult any, conn.Query(statements.HasRows().sql));
  if (any.Scalar() == backend::Value("f")) {
    for (auto& r : ranges) r.done = true;
  }
  // Only bloat control reads them, and it can do without.
  Status recorded = RecordIndexSizes(conn, statements);
  if (!recorded.ok()) {
    spdlog::warn("could not record the index sizes of {}: {}", statements.qualified_table(),
                 recorded.message());
  }
  TANDEM_RETURN_IF_ERROR(SaveRanges(conn, statements, ranges));
  return ranges;
}

// Lets the open-ended range stop at today's greatest key, so a table under
// heavy inserts finishes (see PgStatements::StopAfter).
Status SetStopAfter(backend::Connection& conn, const PgStatements& statements,
                    std::vector<KeyRange>& ranges) {
  if (statements.by_ctid()) return Status::Ok();
  Statement s = statements.MaxKey();
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, conn.Query(s.sql, s.params));
  if (rows.rows.empty()) return Status::Ok();
  for (auto& r : ranges) {
    if (r.upper.empty()) r.stop_after = rows.rows[0];
  }
  return Status::Ok();
}

// What earlier runs did, from the checkpoints.
Progress Earlier(const std::string& table, const std::vector<KeyRange>& ranges) {
  Progress p;
  p.table = table;
  p.ranges_total = static_cast<int>(ranges.size());
  for (const auto& r : ranges) {
    p.rows_scanned += r.rows_done;
    p.estimated_total += r.estimated_rows;
    p.ranges_done += r.done ? 1 : 0;
  }
  return p;
}

// Runs the workers, reporting progress from this thread every interval
// (and storing it for `tandem status`) until all of them are done.
// Tells the coordinator whether the application waits on the backfill's
// row locks; best effort, like progress.
void LookForWaiters(backend::Connection& conn, Coordinator& coordinator) {
  if (!conn.Healthy()) return;
  auto waiters = conn.Query(PgStatements::WaitersOnBackfill());
  if (waiters.ok()) {
    coordinator.ObserveWaiters(std::stoll(waiters->Scalar().value_or("0")), Clock::now());
  }
}

void RunWorkers(const Connector& connect, backend::Connection& conn, const PgStatements& statements,
                const Options& options, Coordinator& coordinator, int workers,
                const std::string& up, const ProgressCallback& on_progress) {
  std::atomic<int> running{workers};
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) {
    threads.emplace_back([&] {
      Worker worker(connect, statements, options, coordinator, up);
      worker.Run();
      running -= 1;
    });
  }
  if (conn.Healthy()) (void)SaveRun(conn, statements, coordinator.Snapshot(), "running", true);
  auto next_report = Clock::now() + options.progress_interval;
  auto next_look = Clock::now();
  while (running.load() > 0) {
    std::this_thread::sleep_for(Millis(50));
    if (Clock::now() >= next_look) {
      next_look = Clock::now() + kWaitersPoll;
      LookForWaiters(conn, coordinator);
    }
    if (Clock::now() < next_report) continue;
    next_report = Clock::now() + options.progress_interval;
    Progress p = coordinator.Snapshot();
    if (on_progress) on_progress(p);
    // Progress is for people; a failure to store it must not stop the work.
    if (conn.Healthy()) (void)SaveRun(conn, statements, p, "running");
  }
  for (auto& t : threads) t.join();
}

}  // namespace

Result<Progress> BackfillTable(const Connector& connect, const std::string& schema,
                               const plan::TableSync& sync, const CheckpointStore& store,
                               const Options& options, const ProgressCallback& on_progress) {
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Connection> conn, connect());
  PgStatements statements(schema, sync, store.state_schema, store.migration_id);
  TANDEM_ASSIGN_OR_RETURN(TableFacts facts, ReadTableFacts(*conn, statements));
  statements.set_rows_per_page(facts.RowsPerPage());
  TANDEM_ASSIGN_OR_RETURN(std::vector<KeyRange> ranges,
                          RangesOf(*conn, statements, facts, options));
  TANDEM_RETURN_IF_ERROR(SetStopAfter(*conn, statements, ranges));
  Progress earlier = Earlier(sync.table, ranges);
  std::deque<KeyRange> pending;
  for (auto& r : ranges) {
    if (!r.done) pending.push_back(std::move(r));
  }
  int next_number = ranges.empty() ? 0 : ranges.back().number + 1;
  Coordinator coordinator(options, pending, earlier, next_number);
  long long vacuum_every = VacuumEvery(options, facts, earlier.estimated_total);
  coordinator.set_vacuum_every(vacuum_every);
  int workers =
      static_cast<int>(std::min<size_t>(std::max(1, options.concurrency), pending.size()));
  spdlog::debug("backfill of {}: {} of {} ranges left, {} workers", statements.qualified_table(),
                pending.size(), ranges.size(), workers);
  RunWorkers(connect, *conn, statements, options, coordinator, workers, UpExpressions(sync),
             on_progress);
  Progress progress = coordinator.Snapshot();
  Status outcome = coordinator.Outcome(statements.qualified_table());
  if (!outcome.ok()) {
    if (conn->Healthy()) {
      const char* state = outcome.kind() == ErrorKind::kInterrupted ? "stopped" : "failed";
      (void)SaveRun(*conn, statements, progress, state);
    }
    return outcome;
  }
  // The workers reconnect on their own; this session may have been lost
  // meanwhile too (its progress reports are best effort).
  if (!conn->Healthy()) {
    TANDEM_ASSIGN_OR_RETURN(conn, connect());
  }
  // The new columns are new to the planner's statistics too.
  Status analyzed = conn->Execute(statements.Analyze());
  if (!analyzed.ok())
    spdlog::warn("ANALYZE {} failed: {}", statements.qualified_table(), analyzed.message());
  if (vacuum_every > 0) {  // bloat control is on
    ProgressCallback report = [&](const Progress& p) {
      (void)SaveRun(*conn, statements, p, "running");
      if (on_progress) on_progress(p);
    };
    RebuildHooks hooks;
    hooks.may_go = [&] { return WaitForControl(options, sync.table, progress, report).ok(); };
    hooks.on_rebuild = [&](const std::string& index) {
      progress.waiting_reason = "rebuilding index " + index;
      report(progress);
    };
    RebuildGrownIndexes(*conn, statements, hooks);
    // A rebuild can outlast the session (it is logged, not fatal).
    if (!conn->Healthy()) {
      TANDEM_ASSIGN_OR_RETURN(conn, connect());
    }
  }
  progress.done = true;
  progress.ranges_done = progress.ranges_total;
  progress.workers = 0;
  progress.eta = Millis(0);
  progress.waiting_reason.clear();
  TANDEM_RETURN_IF_ERROR(SaveRun(*conn, statements, progress, "done"));
  if (on_progress) on_progress(progress);
  return progress;
}

}  // namespace tandem::backfill
