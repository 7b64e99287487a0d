#include "core/governance_store.h"

#include <random>

#include "backends/number.h"
#include "core/engine.h"

namespace tandem::core {
namespace {

constexpr char kColumns[] = "id, schema_name, migration, kind, checksum, by_name, at, detail";

}  // namespace

GovernanceStore::GovernanceStore(backend::Connection& conn, backend::Engine engine,
                                 std::string state_schema)
    : conn_(conn), sql_(MakeEngine(engine)->MakeStateSql(std::move(state_schema))) {}

Result<bool> GovernanceStore::Exists() {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, conn_.Query(sql_->Exist({"governance"})));
  return rows.Scalar() == backend::Value("t");
}

Status GovernanceStore::Append(const GovernanceRecord& r) {
  return conn_
      .Query("INSERT INTO " + sql_->Table("governance") +
                 " (schema_name, migration, kind, checksum, by_name, detail) VALUES ($1, $2, $3, "
                 "$4, $5, $6)",
             {r.schema, r.migration, r.kind, r.checksum, r.by, r.detail})
      .status();
}

Result<std::vector<GovernanceRecord>> GovernanceStore::Select(const std::string& schema,
                                                              const std::string& migration,
                                                              const std::string& kind) {
  TANDEM_ASSIGN_OR_RETURN(bool exists, Exists());
  if (!exists) return std::vector<GovernanceRecord>();
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_.Query(std::string("SELECT ") + kColumns + " FROM " + sql_->Table("governance") +
                      " WHERE schema_name = $1 AND migration = $2 AND kind = $3 ORDER BY id",
                  {schema, migration, kind}));
  std::vector<GovernanceRecord> out;
  for (const auto& r : rows.rows) {
    backend::NumberReader read;
    out.push_back({read.Integer(r[0], "the id of a governance record"), r[1].value_or(""),
                   r[2].value_or(""), r[3].value_or(""), r[4].value_or(""), r[5].value_or(""),
                   r[6].value_or(""), r[7].value_or("")});
    TANDEM_RETURN_IF_ERROR(read.status());
  }
  return out;
}

Result<std::string> GovernanceStore::RecordedDatabaseId() {
  TANDEM_ASSIGN_OR_RETURN(std::vector<GovernanceRecord> ids, Select("", "", "database"));
  return ids.empty() ? std::string() : ids.front().detail;
}

Result<std::string> GovernanceStore::DatabaseId() {
  TANDEM_ASSIGN_OR_RETURN(std::string recorded, RecordedDatabaseId());
  if (!recorded.empty()) return recorded;
  std::random_device random;
  char id[17];
  std::snprintf(id, sizeof id, "%08x%08x", random(), random());
  TANDEM_RETURN_IF_ERROR(Append({.kind = "database", .by = "tandem", .detail = id}));
  return std::string(id);
}

}  // namespace tandem::core
