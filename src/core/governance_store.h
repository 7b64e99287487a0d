// The records of governance that outlive a migration and may come before
// it starts: sign-offs, approvals and rollback rehearsals, each bound to the
// migration's name and the checksum of the file it was given for, and the
// database's own identity (for approval tokens). One state table,
// `governance`, beside the migrations and their event log.
//
// Not thread-safe; uses the connection it is given.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/state_sql.h"

namespace tandem::core {

// Built with designated initializers; every field has a default
// initializer, so one left out is empty without a warning.
struct GovernanceRecord {
  long long id = 0;
  std::string schema{};
  std::string migration{};
  std::string kind{};  // signoff | approval | rehearsal | database
  std::string checksum{};
  std::string by{};
  std::string at{};
  std::string detail{};  // JSON, by kind
};

class GovernanceStore {
 public:
  GovernanceStore(backend::Connection& conn, backend::Engine engine, std::string state_schema);

  // Whether the table exists (a state schema of an older tandem lacks it;
  // the writing commands create it with the others).
  Result<bool> Exists();
  Status Append(const GovernanceRecord& record);
  // The records of `kind` for migration `migration` of `schema`, oldest first;
  // none when the table does not exist yet.
  Result<std::vector<GovernanceRecord>> Select(const std::string& schema,
                                               const std::string& migration,
                                               const std::string& kind);
  // A random identity of this database, made once and kept: approval
  // tokens name it, so a token taken to another database is told apart
  // from one that was never issued. Made by the first call.
  Result<std::string> DatabaseId();
  // The identity if one was made, else empty; writes nothing.
  Result<std::string> RecordedDatabaseId();

 private:
  backend::Connection& conn_;
  std::unique_ptr<StateSql> sql_;
};

}  // namespace tandem::core
