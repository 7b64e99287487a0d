// `tandem serve`: an HTTP endpoint for dashboards and scripts while a
// migration runs, answering from tandem's records on every request:
//   /metrics         Prometheus' text format (serve/metrics.h)
//   /api/v1/status   what `tandem status --json` prints
//   /healthz         "ok" while the server runs
// It only reads; it listens on 127.0.0.1 unless told otherwise.
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <string>

#include "common/status.h"
#include "core/runner.h"

namespace tandem::cli {

struct ServeFlags {
  std::string listen = "127.0.0.1:9477";
  std::string metrics_prefix = "tandem";
};

// Adds serve's options to its subcommand `sub`, bound to `flags`.
void AddServeFlags(CLI::App* sub, ServeFlags& flags);

// Serves until `stop` turns true (SIGINT, SIGTERM). Bad flags are
// kInvalidInput; an address in use is kBusy; records that cannot be read at
// the start fail it with their error (later, /metrics says database_up 0). Prints the address it
// serves on to stderr once it listens.
Status RunServe(core::Runner& runner, const ServeFlags& flags, const std::atomic<bool>& stop);

}  // namespace tandem::cli
