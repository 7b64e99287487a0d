// The SQL that differs between engines for tandem's state tables: their
// names, creating them, asking whether they exist, and the current time.
// Everything else in the state store is SQL both engines speak (booleans
// are stored and compared as 't'/'f', which PostgreSQL reads as boolean).
#pragma once

#include <string>
#include <vector>

#include "backends/backend.h"

namespace tandem::core {

class StateSql {
 public:
  StateSql(backend::Engine engine, std::string state_schema)
      : engine_(engine), schema_(std::move(state_schema)) {}

  // A state table: tandem.migrations on PostgreSQL, "tandem_migrations" on
  // SQLite (one namespace per file).
  std::string Table(const std::string& name) const;
  // The current time as text that sorts in time order.
  std::string Now() const;
  // Creates the state tables (idempotent), serialized against another
  // runner doing the same.
  std::string Create() const;
  // One row, 't' when the state tables `names` (e.g. "events") all exist.
  std::string Exist(const std::vector<std::string>& names) const;
  // Every state table: a state schema of an older tandem lacks the newer ones.
  std::vector<std::string> AllTables() const;

 private:
  std::string CreatePostgres() const;
  std::string CreateSqlite() const;

  backend::Engine engine_;
  std::string schema_;
};

}  // namespace tandem::core
