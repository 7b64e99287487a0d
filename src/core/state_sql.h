// The SQL that differs between engines for tandem's state tables: their
// names, creating them, asking whether they exist, and the current time.
// Everything else in the state store is SQL both engines speak (booleans
// are stored and compared as 't'/'f', which PostgreSQL reads as boolean).
// Each engine has its own (Engine::MakeStateSql).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace tandem::core {

class StateSql {
 public:
  virtual ~StateSql() = default;

  // A state table: tandem.migrations on PostgreSQL, "tandem_migrations" on
  // SQLite (one namespace per file).
  virtual std::string Table(const std::string& name) const = 0;
  // The current time as text that sorts in time order.
  virtual std::string Now() const = 0;
  // Creates the state tables (idempotent), serialized against another
  // runner doing the same.
  virtual std::string Create() const = 0;
  // One row, 't' when the state tables `names` (e.g. "events") all exist.
  virtual std::string Exist(const std::vector<std::string>& names) const = 0;
  // Every state table: a state schema of an older tandem lacks the newer ones.
  virtual std::vector<std::string> AllTables() const = 0;
  // The query an application runs to ask whether the subject :subject is
  // in on the flag :flag of the migration of `migrated_schema` in progress
  // (core/flag_sql.h): one row, true or false.
  virtual std::string FlagQuery(const std::string& migrated_schema) const = 0;
};

std::unique_ptr<StateSql> MakePostgresStateSql(std::string state_schema);
std::unique_ptr<StateSql> MakeSqliteStateSql(std::string state_schema);

}  // namespace tandem::core
