// What `tandem serve` answers, over one database:
//   /                  the command center page (serve/web/, built in)
//   /metrics           Prometheus' text format (serve/metrics.h)
//   /healthz           "ok" while the server runs
//   GET  /api/v1/status, /history, /readers, /flags, /events (server-sent)
//   POST /api/v1/pause, /resume, /throttle, /switch, /switch/back,
//        /flags/{name}, /signoff
// Reading needs no token on loopback; changing always needs the bearer
// token; another origin's page is refused (serve/access.h).
//
// Every answer is read from tandem's records when asked, so a backfill run
// by another process shows as it moves. Thread-safe: the server's worker
// threads call the routes concurrently; reads of the records take turns on
// one session, and each change opens a runner of its own, as a separate
// `tandem pause` would.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "backends/backend.h"
#include "core/runner.h"
#include "core/runner_options.h"
#include "serve/access.h"
#include "serve/event_stream.h"
#include "serve/http_server.h"

namespace tandem::cli {

class CommandCenter {
 public:
  // `database` serves the reads; each change opens `url` anew, so that the
  // runner lock a change takes is let go with it (SQLite's lock file is held
  // by its Database).
  CommandCenter(backend::Database& database, std::string url, core::RunnerOptions options,
                std::string metrics_prefix);

  // Fails with the database's error when the records cannot be read: a URL
  // that reaches nothing should fail now, not serve `database_up 0` to a
  // dashboard nobody looks at yet.
  Status CheckReachable();
  // Makes the control token where tandem has records and none was made;
  // the token when it made one (to be shown once), else "".
  Result<std::string> EnsureToken();
  // A new control token, replacing the previous one (`serve --new-token`).
  Result<std::string> NewToken();
  void AddRoutes(serve::HttpServer& server);
  // Ends the open event streams (the server is stopping).
  void StopStreams() { events_.StopAll(); }
  // `tandem serve` on its own watches the alert thresholds of the
  // migration in progress too (core/alerts.h), on a database session and
  // runner of their own; its changes are recorded as a backfill's are (one
  // event per change, whoever sees it first). Call every few hundred
  // milliseconds from one thread; the watch is made again every minute, so
  // a migration started meanwhile is watched.
  void WatchAlerts();

 private:
  serve::Response StatusAnswer();
  serve::Response History();
  serve::Response Readers(const serve::Request& request);
  // `tandem gates --json`: each transition's gate and the scorecard.
  serve::Response Gates();
  serve::Response GetFlags();
  serve::Response SetFlag(const serve::Request& request);
  // Runs `change` on a runner (and database) of its own and answers {"ok": true, "done": done}.
  serve::Response Change(const std::string& done,
                         const std::function<tandem::Status(core::Runner&)>& change);
  // `handler`, behind the access rule for `access`.
  serve::Handler Guarded(serve::Access access, serve::Handler handler);

  backend::Database& database_;
  std::string url_;
  core::RunnerOptions options_;
  std::string metrics_prefix_;
  core::SilentReporter reporter_;
  mutable std::mutex reading_;  // one session for the reads
  std::unique_ptr<core::Runner> reader_;
  serve::EventStreams events_;
  // WatchAlerts'.
  std::unique_ptr<backend::Database> alerts_database_;
  std::unique_ptr<core::Runner> alerts_runner_;
  std::unique_ptr<core::AlertWatch> alerts_;
  std::optional<std::chrono::steady_clock::time_point> alerts_made_at_;
};

}  // namespace tandem::cli
