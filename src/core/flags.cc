#include "core/flags.h"

#include "backends/number.h"
#include "common/flag_decision.h"
#include "core/engine.h"

namespace tandem::core {
namespace {

constexpr size_t kMaxFlagName = 63;  // PostgreSQL's identifier length
constexpr char kFlagEventKind[] = "flag";
// Flags ramp the read switch, whatever phase the migration is in.
constexpr char kFlagEventPhase[] = "switch";

// An event's description: "read_new 10%", the name and the share it got.
std::string Describe(const std::string& name, int basis_points) {
  return name + " " + FormatFlagShare(basis_points);
}

Result<FlagChange> ChangeFrom(const RecordedEvent& recorded) {
  const std::string& text = recorded.event.description;
  size_t space = text.rfind(' ');
  Result<int> share = ParseFlagShare(space == std::string::npos ? "" : text.substr(space + 1));
  if (space == std::string::npos || !share.ok()) {
    return Status::Refused(
        "a flag event recorded at " + recorded.at + " reads \"" + text +
        "\", not a flag and its share: another program or a newer tandem wrote it. "
        "`tandem flag get` shows the flags as they are");
  }
  return FlagChange{.name = text.substr(0, space), .basis_points = *share, .at = recorded.at};
}

}  // namespace

Status CheckFlagName(const std::string& name) {
  bool valid = !name.empty() && name.size() <= kMaxFlagName && name[0] >= 'a' && name[0] <= 'z';
  for (char c : name) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (valid) return Status::Ok();
  return Status::InvalidInput("\"" + name +
                              "\" is not a flag name: use a lowercase letter, then lowercase "
                              "letters, digits or underscores, at most 63 in all, e.g. read_new");
}

Flags::Flags(backend::Database& database, std::string schema, std::string state_schema)
    : database_(database), state_schema_(std::move(state_schema)) {
  auto engine = MakeEngine(database_.engine());
  schema_ = engine->MigratedSchema(schema);
  sql_ = engine->MakeStateSql(state_schema_);
}

Flags::~Flags() = default;

std::string Flags::Table(const std::string& name) const { return sql_->Table(name); }

std::string Flags::Query() const { return sql_->FlagQuery(schema_); }

Result<MigrationRecord> Flags::InProgress() {
  if (!conn_) {
    TANDEM_ASSIGN_OR_RETURN(conn_, database_.Connect());
    state_ = std::make_unique<StateStore>(*conn_, state_schema_, database_.engine());
  }
  auto refuse = [&] {
    return Status::Refused("no migration is in progress on schema \"" + schema_ +
                           "\": flags belong to the migration in progress. Start one with "
                           "`tandem start FILE` first");
  };
  // Asking must not create tandem's tables in a database that has none.
  TANDEM_ASSIGN_OR_RETURN(bool exists, state_->Exists());
  if (!exists) return refuse();
  TANDEM_RETURN_IF_ERROR(state_->Init());  // adds the flags table to older state schemas
  TANDEM_ASSIGN_OR_RETURN(std::optional<MigrationRecord> active, state_->Active(schema_));
  if (!active) return refuse();
  return *active;
}

Result<std::vector<FlagSetting>> Flags::Read(long long migration_id) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn_->Query("SELECT name, basis_points, updated_at FROM " + Table("flags") +
                       " WHERE migration_id = $1 ORDER BY name",
                   {std::to_string(migration_id)}));
  std::vector<FlagSetting> flags;
  for (const auto& r : rows.rows) {
    backend::NumberReader read;
    flags.push_back({.name = r[0].value_or(""),
                     .basis_points = static_cast<int>(read.Integer(r[1], "a flag's share")),
                     .updated_at = r[2].value_or("")});
    TANDEM_RETURN_IF_ERROR(read.status().WithContext("flag \"" + flags.back().name + "\""));
  }
  return flags;
}

Result<MigrationFlags<FlagSetting>> Flags::Set(const std::string& name, int basis_points) {
  TANDEM_RETURN_IF_ERROR(CheckFlagName(name));
  if (basis_points < 0 || basis_points > kBuckets) {
    return Status::InvalidInput("a flag's share is from 0% to 100%, not " +
                                FormatFlagShare(basis_points));
  }
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord migration, InProgress());
  // The flag and its event together, or neither: the event log must not
  // miss a change an application already follows.
  TANDEM_RETURN_IF_ERROR(conn_->Execute("BEGIN"));
  Status written =
      conn_
          ->Query("INSERT INTO " + Table("flags") +
                      " (migration_id, name, basis_points) VALUES ($1, $2, $3) ON CONFLICT "
                      "(migration_id, name) DO UPDATE SET basis_points = excluded.basis_points, "
                      "updated_at = " +
                      sql_->Now(),
                  {std::to_string(migration.id), name, std::to_string(basis_points)})
          .status();
  if (written.ok()) {
    written = state_->Append(migration.id, {.phase = kFlagEventPhase,
                                            .kind = kFlagEventKind,
                                            .description = Describe(name, basis_points),
                                            .outcome = "ok"});
  }
  if (written.ok()) written = conn_->Execute("COMMIT");
  if (!written.ok()) {
    if (conn_->Healthy()) (void)conn_->Execute("ROLLBACK");
    return written.WithContext("flag \"" + name + "\" was not changed");
  }
  return Get(name);
}

Result<MigrationFlags<FlagSetting>> Flags::Get(const std::optional<std::string>& name) {
  if (name) TANDEM_RETURN_IF_ERROR(CheckFlagName(*name));
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord migration, InProgress());
  TANDEM_ASSIGN_OR_RETURN(std::vector<FlagSetting> flags, Read(migration.id));
  MigrationFlags<FlagSetting> out{.migration = migration, .flags = {}};
  for (auto& flag : flags) {
    if (!name || flag.name == *name) out.flags.push_back(std::move(flag));
  }
  // A flag never set selects nobody, as the SQL decision says.
  if (name && out.flags.empty()) out.flags.push_back({.name = *name});
  return out;
}

Result<MigrationFlags<FlagChange>> Flags::History(const std::optional<std::string>& name) {
  if (name) TANDEM_RETURN_IF_ERROR(CheckFlagName(*name));
  TANDEM_ASSIGN_OR_RETURN(MigrationRecord migration, InProgress());
  TANDEM_ASSIGN_OR_RETURN(std::vector<RecordedEvent> events, state_->Events(migration.id));
  MigrationFlags<FlagChange> out{.migration = migration, .flags = {}};
  for (const auto& recorded : events) {
    if (recorded.event.kind != kFlagEventKind) continue;
    TANDEM_ASSIGN_OR_RETURN(FlagChange change, ChangeFrom(recorded));
    if (!name || change.name == *name) out.flags.push_back(std::move(change));
  }
  return out;
}

}  // namespace tandem::core
