// Feature flags of the migration in progress, each with a share of
// subjects (a percentage, kept in basis points) that applications ramp from
// 0% to 100% while they move their reads to the new version. Setting one
// writes the flag and an event ("switch" / "flag") in one transaction, so
// the event log holds every change. Applications ask for a subject's side
// through SQL (StateSql::FlagQuery, core/flag_sql.h), not through this
// class; common/flag_decision.h is the same decision in C++.
//
// Not thread-safe: one session of its own, opened on first use.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/state_store.h"

namespace tandem::core {

// Every field has a default initializer, so one left out is empty
// without a warning.
struct FlagSetting {
  std::string name{};
  int basis_points = 0;
  std::string updated_at{};  // empty for a flag never set
};

// One change of a flag, as the event log holds it.
struct FlagChange {
  std::string name{};
  int basis_points = 0;
  std::string at{};
};

// The flags (or their changes) of the migration in progress.
template <typename T>
struct MigrationFlags {
  MigrationRecord migration;
  std::vector<T> flags;
};

// kInvalidInput unless `name` is a lowercase letter followed by at most 62
// lowercase letters, digits or underscores: it is typed in SQL by the
// applications that ask, where such a name needs no quoting.
Status CheckFlagName(const std::string& name);

class Flags {
 public:
  // `schema` is the migrated schema as the user names it (--schema).
  Flags(backend::Database& database, std::string schema, std::string state_schema);
  ~Flags();

  // Sets flag `name` to `basis_points` (0 to kBuckets); kRefused when no
  // migration is in progress.
  Result<MigrationFlags<FlagSetting>> Set(const std::string& name, int basis_points);
  // Every flag, or only `name` (at 0% and no time when never set).
  Result<MigrationFlags<FlagSetting>> Get(const std::optional<std::string>& name);
  // Every change, or those of `name`, oldest first.
  Result<MigrationFlags<FlagChange>> History(const std::optional<std::string>& name);
  // What an application runs to ask for a subject (StateSql::FlagQuery).
  std::string Query() const;

 private:
  // Opens the session and upgrades the state tables; the migration in
  // progress, or kRefused.
  Result<MigrationRecord> InProgress();
  Result<std::vector<FlagSetting>> Read(long long migration_id);
  std::string Table(const std::string& name) const;

  backend::Database& database_;
  std::string schema_;  // as the engine records it (Engine::MigratedSchema)
  std::string state_schema_;
  std::unique_ptr<StateSql> sql_;
  std::unique_ptr<backend::Connection> conn_;
  std::unique_ptr<StateStore> state_;
};

}  // namespace tandem::core
