// A PostgreSQL server (and optionally its streaming replica) of one test
// suite's own, beside the shared harness server, for tests that do to a
// server what the other tests must not see: pause its replay, crash it.
//
// While it runs, TANDEM_TEST_PG_DIR points at it, so PgTest creates each
// test's database there; Stop points it back at the shared server.
#pragma once

#include <string>

namespace tandem::testing {

class OwnServer {
 public:
  // `name` tells apart the servers of different suites in one process.
  explicit OwnServer(const std::string& name);

  // scripts/pg-harness.sh start (and start-replica); true when they worked.
  bool Start();
  bool StartReplica();
  // An immediate stop and, `down_seconds` later, a start on the same port:
  // every session dies and recovery replays the WAL, as after a power loss.
  bool Crash(int down_seconds = 0);
  // Stops what was started, removes the directory, restores the shared server.
  void Stop();

  // The replica's connection string (without dbname).
  std::string ReplicaUrl() const;

 private:
  std::string shared_dir_;
  std::string dir_;
};

}  // namespace tandem::testing
