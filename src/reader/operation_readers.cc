#include "reader/operation_readers.h"

#include <algorithm>
#include <map>
#include <set>

#include "common/strings.h"
#include "plan/serial_type.h"
#include "reader/definitions.h"

namespace tandem::reader {
namespace {

constexpr std::string_view kCreateTableKeys[] = {"name", "columns", "constraints", "comment"};
constexpr std::string_view kAddColumnKeys[] = {"table", "column", "up"};
constexpr std::string_view kAlterColumnKeys[] = {"table",    "column",     "name",    "type",
                                                 "nullable", "default",    "comment", "check",
                                                 "unique",   "references", "up",      "down"};
constexpr std::string_view kDropColumnKeys[] = {"table", "column", "down"};
constexpr std::string_view kRenameColumnKeys[] = {"table", "from", "to"};
constexpr std::string_view kRenameTableKeys[] = {"from", "to"};
constexpr std::string_view kNameKeys[] = {"name"};
constexpr std::string_view kCreateIndexKeys[] = {
    "name", "table", "columns", "method", "predicate", "storage_parameters", "unique"};
constexpr std::string_view kCreateConstraintKeys[] = {"table",
                                                      "name",
                                                      "type",
                                                      "columns",
                                                      "check",
                                                      "references",
                                                      "up",
                                                      "down",
                                                      "nulls_not_distinct",
                                                      "deferrable",
                                                      "initially_deferred",
                                                      "no_inherit",
                                                      "index_parameters"};
constexpr std::string_view kDropConstraintKeys[] = {"table", "column", "name", "up", "down"};
constexpr std::string_view kDropMultiColumnConstraintKeys[] = {"table", "name", "up", "down"};
constexpr std::string_view kRenameConstraintKeys[] = {"table", "from", "to"};
constexpr std::string_view kSetReplicaIdentityKeys[] = {"table", "identity"};
constexpr std::string_view kIdentityKeys[] = {"type", "index"};
constexpr std::string_view kIdentityTypes[] = {"full", "default", "nothing", "index"};
constexpr std::string_view kSqlKeys[] = {"up", "down", "onComplete"};
// The changes alter_column can make; `up` and `down` only say how.
constexpr std::string_view kAlterColumnChanges[] = {"name",    "type",  "nullable", "default",
                                                    "comment", "check", "unique",   "references"};

plan::OperationBody ReadAddColumn(const MapReader& m) {
  plan::AddColumn op;
  op.table = m.Identifier("table", Need::kRequired);
  op.column = ReadColumn(m, "column", Need::kRequired).value_or(plan::ColumnDef{});
  op.up = m.Expression("up");
  const plan::ColumnDef& column = op.column;
  if (m.ok() && !column.nullable && !column.default_value.IsSet() && !column.generated &&
      plan::SerialIntegerType(column.type).empty() && op.up.empty()) {
    m.FailMissing("up", "a NOT NULL column without a default needs a value for existing rows");
  }
  return op;
}

plan::OperationBody ReadAlterColumn(const MapReader& m) {
  plan::AlterColumn op;
  op.table = m.Identifier("table", Need::kRequired);
  op.column = m.Identifier("column", Need::kRequired);
  if (m.Has("name")) op.name = m.Identifier("name", Need::kRequired);
  if (m.Has("type")) op.type = m.TypeName("type", Need::kRequired);
  op.nullable = m.OptionalBool("nullable");
  op.default_value = ReadDefault(m);
  op.comment = m.NullableText("comment");
  op.check = ReadCheck(m, "check");
  op.unique = ReadUnique(m, "unique");
  op.references = ReadColumnReference(m, "references");
  op.up = m.Expression("up");
  op.down = m.Expression("down");
  bool changes = std::any_of(std::begin(kAlterColumnChanges), std::end(kAlterColumnChanges),
                             [&](std::string_view key) { return m.Has(key); });
  if (m.ok() && !changes) {
    m.FailHere(
        "changes nothing (`up` and `down` only say how values move); give at least one "
        "of " +
        JoinKeys(kAlterColumnChanges));
  }
  return op;
}

plan::OperationBody ReadDropColumn(const MapReader& m) {
  plan::DropColumn op;
  op.table = m.Identifier("table", Need::kRequired);
  op.column = m.Identifier("column", Need::kRequired);
  op.down = m.Expression("down");
  return op;
}

// Reports a rename whose `to` equals its `from`.
void CheckRealRename(const MapReader& m, const std::string& from, const std::string& to) {
  if (m.ok() && from == to) m.Fail("to", "is the same as `from`; nothing would be renamed");
}

plan::OperationBody ReadRenameColumn(const MapReader& m) {
  plan::RenameColumn op;
  op.table = m.Identifier("table", Need::kRequired);
  op.from = m.Identifier("from", Need::kRequired);
  op.to = m.Identifier("to", Need::kRequired);
  CheckRealRename(m, op.from, op.to);
  return op;
}

plan::OperationBody ReadRenameTable(const MapReader& m) {
  plan::RenameTable op;
  op.from = m.Identifier("from", Need::kRequired);
  op.to = m.Identifier("to", Need::kRequired);
  CheckRealRename(m, op.from, op.to);
  return op;
}

plan::OperationBody ReadDropTable(const MapReader& m) {
  return plan::DropTable{m.Identifier("name", Need::kRequired)};
}

constexpr std::string_view kIndexMethods[] = {"btree", "hash", "gist", "spgist", "gin", "brin"};

// A predicate is the condition alone; a leading WHERE is a common slip.
std::string PredicateWithoutWhere(const MapReader& m) {
  std::string text = m.String("predicate");
  if (m.ok() && StartsWith(ToLower(Trim(text)), "where ")) {
    m.Fail("predicate",
           "write the condition without the leading WHERE, e.g. `predicate: "
           "deleted_at IS NULL`");
    return "";
  }
  return m.Expression("predicate");
}

plan::OperationBody ReadCreateIndex(const MapReader& m, plan::Positions* at) {
  plan::CreateIndex op;
  op.name = m.Identifier("name", Need::kRequired);
  op.table = m.Identifier("table", Need::kRequired);
  op.columns = ReadIndexColumns(m, at);
  op.method = m.Enum("method", kIndexMethods);
  op.predicate = PredicateWithoutWhere(m);
  op.storage_parameters = m.String("storage_parameters");
  op.unique = m.Bool("unique");
  if (m.ok() && op.unique && !op.method.empty() && op.method != "btree") {
    m.Fail("unique",
           "PostgreSQL supports unique indexes only with method btree; remove "
           "`unique` or use `method: btree`");
  }
  if (m.ok() && op.method == "hash" && op.columns.size() > 1) {
    m.Fail("columns", "a hash index covers exactly one column; use btree for several");
  }
  return op;
}

plan::OperationBody ReadDropIndex(const MapReader& m) {
  return plan::DropIndex{m.Identifier("name", Need::kRequired)};
}

// The keys of `m`'s map `key` must be exactly `columns`.
void CheckColumnMap(const MapReader& m, std::string_view key,
                    const std::vector<std::string>& columns,
                    const std::map<std::string, std::string>& expressions) {
  if (!m.ok()) return;
  std::string listed = Join(columns, ", ");
  for (const auto& [column, expression] : expressions) {
    if (std::find(columns.begin(), columns.end(), column) != columns.end()) continue;
    m.errors()->Report(m.PosOf(key), m.PathOf(key) + "." + column,
                       "\"" + column + "\" is not one of the constraint's columns (" + listed +
                           "); give one expression for each of them and no others");
    return;
  }
  for (const std::string& column : columns) {
    if (expressions.count(column) > 0) continue;
    m.Fail(key, "has no expression for column \"" + column +
                    "\"; give one for each of the constraint's columns (" + listed + ")");
    return;
  }
}

plan::OperationBody ReadCreateConstraint(const MapReader& m) {
  plan::CreateConstraint op;
  op.table = m.Identifier("table", Need::kRequired);
  op.constraint = ReadConstraintFields(m, kCreateConstraintTypes);
  // Each covered column is duplicated and rewritten, so even a check names them.
  if (m.ok() && op.constraint.type == "check" && !m.Has("columns")) {
    m.FailMissing("columns", "create_constraint rewrites the columns the constraint covers");
  }
  op.up = m.ExpressionMap("up", Need::kRequired);
  op.down = m.ExpressionMap("down", Need::kRequired);
  CheckColumnMap(m, "up", op.constraint.columns, op.up);
  CheckColumnMap(m, "down", op.constraint.columns, op.down);
  return op;
}

plan::OperationBody ReadDropConstraint(const MapReader& m) {
  plan::DropConstraint op;
  op.table = m.Identifier("table", Need::kRequired);
  op.column = m.Identifier("column");
  op.name = m.Identifier("name", Need::kRequired);
  // pgroll requires the key but reads an empty `up` as the column unchanged.
  if (!m.Has("up")) m.FailMissing("up");
  op.up = m.Expression("up");
  op.down = m.Expression("down", Need::kRequired);
  return op;
}

plan::OperationBody ReadDropMultiColumnConstraint(const MapReader& m) {
  plan::DropMultiColumnConstraint op;
  op.table = m.Identifier("table", Need::kRequired);
  op.name = m.Identifier("name", Need::kRequired);
  op.up = m.ExpressionMap("up");
  op.down = m.ExpressionMap("down", Need::kRequired);
  for (const auto& [column, expression] : op.up) {
    if (!m.ok() || op.down.count(column) > 0) continue;
    m.errors()->Report(m.PosOf("up"), m.PathOf("up") + "." + column,
                       "column \"" + column +
                           "\" has an `up` but no `down` expression; give "
                           "both for each column the constraint covers");
  }
  return op;
}

plan::OperationBody ReadRenameConstraint(const MapReader& m) {
  plan::RenameConstraint op;
  op.table = m.Identifier("table", Need::kRequired);
  op.from = m.Identifier("from", Need::kRequired);
  op.to = m.Identifier("to", Need::kRequired);
  CheckRealRename(m, op.from, op.to);
  return op;
}

plan::OperationBody ReadSetReplicaIdentity(const MapReader& m) {
  plan::SetReplicaIdentity op;
  op.table = m.Identifier("table", Need::kRequired);
  std::optional<MapReader> identity = m.Map("identity", kIdentityKeys, Need::kRequired);
  if (!identity) return op;
  op.type = identity->Enum("type", kIdentityTypes, Need::kRequired);
  op.index = identity->Identifier("index");
  if (identity->ok() && op.type == "index" && op.index.empty()) {
    identity->FailMissing("index", "needed with `type: index`");
  } else if (identity->ok() && op.type != "index" && identity->Has("index")) {
    identity->Fail("index", "is only used with `type: index`; remove it or change the type");
  }
  return op;
}

plan::OperationBody ReadRawSql(const MapReader& m) {
  plan::RawSql op;
  op.up = m.Statements("up", Need::kRequired);
  op.down = m.Statements("down");
  op.on_complete = m.Bool("onComplete");
  if (m.ok() && op.on_complete && m.Has("down")) {
    m.Fail("down",
           "cannot be combined with `onComplete: true`: SQL run at completion can no "
           "longer be rolled back; remove `down` or `onComplete`");
  }
  return op;
}

using BodyReader = plan::OperationBody (*)(const MapReader& m, plan::Positions* at);

struct OperationKind {
  std::string_view name;
  KeyList keys;
  BodyReader read;
};

// Adapts a reader that needs no positions beyond those RecordPositions takes.
template <plan::OperationBody (*Read)(const MapReader&)>
plan::OperationBody Plain(const MapReader& m, plan::Positions*) {
  return Read(m);
}

const OperationKind kOperationKinds[] = {
    {"create_table", kCreateTableKeys, Plain<ReadCreateTable>},
    {"add_column", kAddColumnKeys, Plain<ReadAddColumn>},
    {"alter_column", kAlterColumnKeys, Plain<ReadAlterColumn>},
    {"drop_column", kDropColumnKeys, Plain<ReadDropColumn>},
    {"rename_column", kRenameColumnKeys, Plain<ReadRenameColumn>},
    {"rename_table", kRenameTableKeys, Plain<ReadRenameTable>},
    {"drop_table", kNameKeys, Plain<ReadDropTable>},
    {"create_index", kCreateIndexKeys, ReadCreateIndex},
    {"drop_index", kNameKeys, Plain<ReadDropIndex>},
    {"create_constraint", kCreateConstraintKeys, Plain<ReadCreateConstraint>},
    {"drop_constraint", kDropConstraintKeys, Plain<ReadDropConstraint>},
    {"drop_multicolumn_constraint", kDropMultiColumnConstraintKeys,
     Plain<ReadDropMultiColumnConstraint>},
    {"rename_constraint", kRenameConstraintKeys, Plain<ReadRenameConstraint>},
    {"set_replica_identity", kSetReplicaIdentityKeys, Plain<ReadSetReplicaIdentity>},
    {"sql", kSqlKeys, Plain<ReadRawSql>},
};

std::vector<std::string_view> KindNames() {
  std::vector<std::string_view> names;
  for (const auto& kind : kOperationKinds) names.push_back(kind.name);
  return names;
}

}  // namespace

std::vector<OperationKeys> OperationKeyTable() {
  std::vector<OperationKeys> table;
  for (const auto& kind : kOperationKinds) table.push_back({kind.name, kind.keys});
  return table;
}

KeyList OperationKinds() {
  static const std::vector<std::string_view> names = KindNames();
  return names;
}

plan::OperationBody ReadOperationBody(ErrorSink* errors, std::string_view kind,
                                      const YAML::Node& body, const std::string& path,
                                      plan::Positions* at) {
  const OperationKind* found = nullptr;
  for (const auto& candidate : kOperationKinds) {
    if (candidate.name == kind) found = &candidate;
  }
  if (found == nullptr) {
    errors->Report(PosOf(body), path, "unknown operation (a bug: the caller checks kinds)");
    return plan::RawSql{};
  }
  MapReader m(errors, body, path, found->keys);
  if (!m.ok()) return plan::RawSql{};
  m.RecordPositions(at);
  return found->read(m, at);
}

}  // namespace tandem::reader
