// `tandem serve`, and `--listen ADDR` on the long-running commands (start,
// backfill, switch): an HTTP endpoint for people, dashboards and scripts
// while a migration runs (cli/command_center.h says what it answers). It
// listens on 127.0.0.1 unless told otherwise.
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <memory>
#include <string>

#include "backends/backend.h"
#include "common/status.h"
#include "core/runner_options.h"

namespace tandem::cli {

class ServeSession;

struct ServeFlags {
  std::string listen = "127.0.0.1:9477";
  std::string metrics_prefix = "tandem";
  bool new_token = false;
};

// Adds serve's options to its subcommand `sub`, bound to `flags`.
void AddServeFlags(CLI::App* sub, ServeFlags& flags);

// Serves until `stop` turns true (SIGINT, SIGTERM). Bad flags are
// kInvalidInput; an address in use is kBusy; records that cannot be read at
// the start fail it with their error (later, /metrics says database_up 0).
// Prints the address it serves on to stderr once it listens, and the
// control token when it made one. With --new-token it makes a new token,
// prints it on stdout and returns.
// `database` was opened from `url`.
Status RunServe(backend::Database& database, const std::string& url,
                const core::RunnerOptions& options, const ServeFlags& flags,
                const std::atomic<bool>& stop);

// `--listen` of a long-running command: serves in the background from
// Start until the object is destroyed.
class BackgroundServe {
 public:
  static Result<std::unique_ptr<BackgroundServe>> Start(backend::Database& database,
                                                        const std::string& url,
                                                        const core::RunnerOptions& options,
                                                        const ServeFlags& flags);
  ~BackgroundServe();

 private:
  BackgroundServe() = default;
  std::unique_ptr<ServeSession> session_;
};

}  // namespace tandem::cli
