#include "core/scratch.h"

#include <algorithm>
#include <filesystem>

#include "backends/number.h"
#include "common/strings.h"

namespace tandem::core {
namespace {

Result<long long> CountRows(backend::Connection& conn, const std::string& table) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult rows, conn.Query("SELECT count(*) FROM " + table));
  return backend::ToInteger(rows.Scalar(), "the rows of " + table);
}

Status CopyPostgresTables(const ScratchRequest& in, Scratch& scratch);
Status CopySqliteFile(const ScratchRequest& in, Scratch& scratch);

}  // namespace

std::vector<std::string> AffectedTables(const plan::Plan& plan) {
  std::vector<std::string> tables;
  auto add = [&](const std::string& t) {
    if (!t.empty() && std::find(tables.begin(), tables.end(), t) == tables.end()) {
      tables.push_back(t);
    }
  };
  for (const auto& sync : plan.syncs) add(sync.table);
  for (const auto& view : plan.views) add(view.physical_table);
  return tables;
}

Result<Scratch> MakePostgresScratch(const ScratchRequest& in) {
  Scratch scratch;
  scratch.database = &in.database;
  scratch.schema = "tandem_rehearsal_" + in.tag;
  scratch.state_schema = scratch.schema + "_state";
  Status copied = CopyPostgresTables(in, scratch);
  if (copied.ok()) return scratch;
  (void)RemovePostgresScratch(in.conn, scratch);
  return copied;
}

namespace {

// The columns of `table` an INSERT may set, quoted and in order: not the
// generated ones, which the copy computes from its own expression.
Result<std::string> InsertableColumns(backend::Connection& conn, const std::string& table) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn.Query("SELECT a.attname FROM pg_attribute a WHERE a.attrelid = $1::regclass AND "
                 "a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum",
                 {table}));
  std::vector<std::string> columns;
  for (const auto& row : rows.rows) columns.push_back(QuoteIdent(row[0].value_or("")));
  return Join(columns, ", ");
}

// `definition` (pg_get_constraintdef of a foreign key) with the table after
// REFERENCES replaced by `target`; "" when it has no such clause.
std::string Repointed(const std::string& definition, const std::string& target) {
  constexpr char kReferences[] = "REFERENCES ";
  size_t at = definition.find(kReferences);
  if (at == std::string::npos) return "";
  size_t name = at + sizeof kReferences - 1;
  size_t columns = definition.find('(', name);
  if (columns == std::string::npos) return "";
  return definition.substr(0, name) + target + definition.substr(columns);
}

// The foreign keys of the copied `table`: those to another copied table are
// added to the copy, pointing at it (NOT VALID: a sample may hold rows
// whose parent was not copied; new rows are checked); the others are left
// out and noted.
Status CopyForeignKeys(const ScratchRequest& in, Scratch& scratch, const std::string& table,
                       const std::vector<std::string>& copied) {
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult keys,
      in.conn.Query("SELECT c.conname, pg_get_constraintdef(c.oid), n.nspname, r.relname FROM "
                    "pg_constraint c JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace n "
                    "ON n.oid = r.relnamespace WHERE c.conrelid = $1::regclass AND c.contype = "
                    "'f' ORDER BY c.conname",
                    {QualifiedName(in.plan.schema, table)}));
  for (const auto& key : keys.rows) {
    std::string name = key[0].value_or("");
    std::string parent_schema = key[2].value_or("");
    std::string parent = key[3].value_or("");
    bool in_copy = parent_schema == in.plan.schema &&
                   std::find(copied.begin(), copied.end(), parent) != copied.end();
    std::string definition = Repointed(key[1].value_or(""), QualifiedName(scratch.schema, parent));
    if (!in_copy || definition.empty()) {
      scratch.notes.push_back("foreign key " + name + " of " + table + " (to " + parent_schema +
                              "." + parent + ") is left out of the copy: " + parent_schema + "." +
                              parent + " is not part of it, so its rows are not checked there");
      continue;
    }
    if (!EndsWith(definition, " NOT VALID")) definition += " NOT VALID";
    TANDEM_RETURN_IF_ERROR(in.conn.Execute("ALTER TABLE " + QualifiedName(scratch.schema, table) +
                                           " ADD CONSTRAINT " + QuoteIdent(name) + " " +
                                           definition));
  }
  return Status::Ok();
}

Status CopyPostgresTables(const ScratchRequest& in, Scratch& scratch) {
  TANDEM_RETURN_IF_ERROR(in.conn.Execute("CREATE SCHEMA " + QuoteIdent(scratch.schema)));
  std::vector<std::string> tables = AffectedTables(in.plan);
  for (const auto& table : tables) {
    std::string from = QualifiedName(in.plan.schema, table);
    std::string to = QualifiedName(scratch.schema, table);
    // Defaults, generated columns' expressions, constraints, indexes and
    // identity; foreign keys are added once every table is there.
    TANDEM_RETURN_IF_ERROR(
        in.conn.Execute("CREATE TABLE " + to + " (LIKE " + from + " INCLUDING ALL)"));
    TANDEM_ASSIGN_OR_RETURN(std::string columns, InsertableColumns(in.conn, from));
    std::string limit = in.rows ? " LIMIT " + std::to_string(*in.rows) : "";
    TANDEM_RETURN_IF_ERROR(in.conn.Execute("INSERT INTO " + to + " (" + columns +
                                           ") OVERRIDING SYSTEM VALUE SELECT " + columns +
                                           " FROM " + from + limit));
    TANDEM_RETURN_IF_ERROR(in.conn.Execute("ANALYZE " + to));
    TANDEM_ASSIGN_OR_RETURN(long long copied, CountRows(in.conn, to));
    scratch.rows_copied += copied;
  }
  for (const auto& table : tables)
    TANDEM_RETURN_IF_ERROR(CopyForeignKeys(in, scratch, table, tables));
  return Status::Ok();
}

}  // namespace

Status RemovePostgresScratch(backend::Connection& conn, const Scratch& scratch) {
  // The scratch schema, its state schema, and the version and live schemas
  // the rehearsal's runner made: every schema named after the scratch one.
  TANDEM_ASSIGN_OR_RETURN(
      backend::QueryResult rows,
      conn.Query("SELECT nspname FROM pg_namespace WHERE nspname = $1 OR starts_with(nspname, $2)",
                 {scratch.schema, scratch.schema + "_"}));
  for (const auto& row : rows.rows) {
    TANDEM_RETURN_IF_ERROR(
        conn.Execute("DROP SCHEMA IF EXISTS " + QuoteIdent(row[0].value_or("")) + " CASCADE"));
  }
  return Status::Ok();
}

Result<Scratch> MakeSqliteScratch(const ScratchRequest& in) {
  Scratch scratch;
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) dir = ".";
  scratch.file = (dir / ("tandem-rehearsal-" + in.tag + ".db")).string();
  Status sampled = CopySqliteFile(in, scratch);
  if (sampled.ok()) return scratch;
  (void)RemoveSqliteScratch(scratch);
  return sampled;
}

namespace {

Status CopySqliteFile(const ScratchRequest& in, Scratch& scratch) {
  TANDEM_ASSIGN_OR_RETURN(scratch.own, in.database.BackupTo(scratch.file));
  scratch.database = scratch.own.get();
  scratch.schema = in.plan.schema;
  // The copy holds the real records too: the rehearsal keeps its own.
  scratch.state_schema = "tandem_rehearsal";
  TANDEM_ASSIGN_OR_RETURN(std::unique_ptr<backend::Connection> conn, scratch.database->Connect());
  for (const auto& table : AffectedTables(in.plan)) {
    std::string name = QuoteIdent(table);
    if (in.rows) {
      TANDEM_RETURN_IF_ERROR(
          conn->Execute("DELETE FROM " + name + " WHERE rowid NOT IN (SELECT rowid FROM " + name +
                        " ORDER BY rowid LIMIT " + std::to_string(*in.rows) + ")"));
    }
    TANDEM_ASSIGN_OR_RETURN(long long copied, CountRows(*conn, name));
    scratch.rows_copied += copied;
  }
  return Status::Ok();
}

}  // namespace

Status RemoveSqliteScratch(Scratch& scratch) {
  scratch.own.reset();  // closes the copy (and releases its runner lock file)
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal", "-tandem.lock"}) {
    std::filesystem::remove(scratch.file + suffix, ec);
    if (ec) {
      return Status::Error(ErrorKind::kInternal, "cannot remove the rehearsal's copy " +
                                                     scratch.file + suffix + ": " + ec.message() +
                                                     "; remove it by hand");
    }
  }
  return Status::Ok();
}

}  // namespace tandem::core
