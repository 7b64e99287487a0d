// A stand-in for an application writing to a SQLite database while tandem
// migrates it: runs one write statement after another (autocommit, with a
// busy timeout as an application would set) until SIGINT/SIGTERM, and
// reports how long the longest write waited. Used by the demo and by
// bench/sqlite_backfill.sh.
//
//   sqlite_app_writer DB_PATH REPORT_JSON TABLE INSERT_SQL UPDATE_SQL [PAUSE_MS]
//
// UPDATE_SQL gets a random existing rowid of TABLE as $1. The report:
//   {"writes": N, "errors": E, "longest_ms": X, "p99_ms": Y, "first_error": "..."}
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>
#include <vector>

#include "backends/sqlite/sqlite_connection.h"
#include "common/strings.h"

namespace {

std::atomic<bool> stop{false};

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s DB_PATH REPORT_JSON TABLE INSERT_SQL UPDATE_SQL [PAUSE_MS]\n",
                 argv[0]);
    return 2;
  }
  std::signal(SIGINT, [](int) { stop = true; });
  std::signal(SIGTERM, [](int) { stop = true; });
  tandem::backend::sqlite::OpenOptions options;
  options.busy_timeout = tandem::Millis(10000);
  options.faster_trim = false;  // an application's connection runs SQLite's own
  auto conn = tandem::backend::sqlite::SqliteConnection::Open(argv[1], options);
  if (!conn.ok()) {
    std::fprintf(stderr, "writer: %s\n", conn.status().message().c_str());
    return 3;
  }
  std::string max_id_sql = "SELECT max(rowid) FROM " + tandem::QuoteIdent(argv[3]);
  std::string insert = argv[4];
  std::string update = argv[5];
  int pause_ms = argc > 6 ? std::atoi(argv[6]) : 2;
  std::mt19937_64 random{42};
  std::vector<double> waits;
  long long errors = 0;
  std::string first_error;
  long long max_id = 1;
  while (!stop) {
    bool inserting = random() % 2 == 0;
    auto started = Clock::now();
    tandem::Status status;
    if (inserting) {
      status = (*conn)->Execute(insert);
    } else {
      std::string id = std::to_string(1 + random() % max_id);
      status = (*conn)->Query(update, {id}).status();
    }
    waits.push_back(Ms(Clock::now() - started));
    if (std::getenv("WRITER_TRACE") && waits.back() > 50) {
      std::fprintf(
          stderr, "writer: %s took %.0f ms at %.3f s\n", inserting ? "insert" : "update",
          waits.back(),
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count());
    }
    if (!status.ok()) {
      ++errors;
      if (first_error.empty()) first_error = status.message();
    }
    if (waits.size() % 256 == 1) {
      auto top = (*conn)->Query(max_id_sql, {});
      if (top.ok() && top->Scalar()) max_id = std::max(1LL, std::stoll(*top->Scalar()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
  }
  std::vector<double> sorted = waits;
  std::sort(sorted.begin(), sorted.end());
  double longest = sorted.empty() ? 0 : sorted.back();
  double p99 = sorted.empty() ? 0 : sorted[sorted.size() * 99 / 100];
  std::ofstream(argv[2]) << "{\"writes\": " << waits.size() << ", \"errors\": " << errors
                         << ", \"longest_ms\": " << longest << ", \"p99_ms\": " << p99
                         << ", \"first_error\": \"" << tandem::ReplaceAll(first_error, "\"", "'")
                         << "\"}\n";
  return 0;
}
