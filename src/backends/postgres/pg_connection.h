// One libpq session behind the backend::Connection interface.
//
// Owns its PGconn (closed on destruction). Notices (e.g. "does not exist,
// skipping") are swallowed: they are expected with IF EXISTS. Errors become
// Status values through MapPgError(), the single place that reads SQLSTATEs.
#pragma once

#include <memory>
#include <string>

#include "backends/backend.h"

struct pg_conn;    // PGconn, without including libpq-fe.h in a header
struct pg_result;  // PGresult

namespace tandem::backend::postgres {

class PgConnection : public Connection {
 public:
  // Connects to `conninfo` (URL or key=value). Sets application_name to
  // "tandem" so other sessions can see who we are.
  static Result<std::unique_ptr<PgConnection>> Open(const std::string& conninfo);
  ~PgConnection() override;

  Status Execute(const std::string& sql) override;
  Result<QueryResult> Query(const std::string& sql, const std::vector<Value>& params) override;
  bool Healthy() const override;
  Status Reconnect() override;
  std::string Describe() const override;
  int BackendPid() const;

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  // The Status of a failed statement; notes a lost connection.
  Status Failure(const pg_result* result);
  pg_conn* conn_;
  // A statement met a lost connection (libpq's own status may not say so).
  bool lost_ = false;
};

// Maps a failed statement's SQLSTATE and message to a Status. `sqlstate` may
// be empty (then the connection state decides).
Status MapPgError(const std::string& sqlstate, const std::string& message, bool connection_ok);

}  // namespace tandem::backend::postgres
