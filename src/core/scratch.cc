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

Status CopyPostgresTables(const ScratchRequest& in, Scratch& scratch) {
  TANDEM_RETURN_IF_ERROR(in.conn.Execute("CREATE SCHEMA " + QuoteIdent(scratch.schema)));
  for (const auto& table : AffectedTables(in.plan)) {
    std::string from = QualifiedName(in.plan.schema, table);
    std::string to = QualifiedName(scratch.schema, table);
    // Defaults, constraints, indexes and identity; foreign keys stay out,
    // since the tables they point at are not copied.
    TANDEM_RETURN_IF_ERROR(
        in.conn.Execute("CREATE TABLE " + to + " (LIKE " + from + " INCLUDING ALL)"));
    std::string limit = in.rows ? " LIMIT " + std::to_string(*in.rows) : "";
    TANDEM_RETURN_IF_ERROR(in.conn.Execute(
        "INSERT INTO " + to + " OVERRIDING SYSTEM VALUE SELECT * FROM " + from + limit));
    TANDEM_RETURN_IF_ERROR(in.conn.Execute("ANALYZE " + to));
    TANDEM_ASSIGN_OR_RETURN(long long copied, CountRows(in.conn, to));
    scratch.rows_copied += copied;
  }
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
