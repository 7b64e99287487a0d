// The one place that maps a URL to an engine.
#include "backends/backend.h"
#include "backends/postgres/pg_database.h"
#include "backends/sqlite/sqlite_database.h"
#include "common/strings.h"

namespace tandem::backend {

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& url) {
  if (url.empty()) {
    return Status::InvalidInput(
        "no database given: pass --url, or set TANDEM_URL or DATABASE_URL (e.g. "
        "postgres://user@host:5432/db or sqlite:app.db), or libpq's PGHOST, PGPORT, PGUSER, "
        "PGDATABASE or PGSERVICE");
  }
  if (StartsWith(url, "sqlite:") || StartsWith(url, "file:")) {
    TANDEM_ASSIGN_OR_RETURN(sqlite::SqliteTarget target, sqlite::ParseSqliteUrl(url));
    return std::unique_ptr<Database>(std::make_unique<sqlite::SqliteDatabase>(std::move(target)));
  }
  bool is_url = StartsWith(url, "postgres://") || StartsWith(url, "postgresql://");
  bool is_keywords = url.find('=') != std::string::npos && url.find("://") == std::string::npos;
  if (!is_url && !is_keywords) {
    return Status::InvalidInput("unsupported database URL scheme in \"" +
                                url.substr(0, url.find(':')) +
                                ":...\": use sqlite:PATH, postgres://, postgresql:// or a libpq "
                                "key=value string such as \"host=/tmp dbname=app\"");
  }
  return std::unique_ptr<Database>(std::make_unique<postgres::PgDatabase>(url));
}

}  // namespace tandem::backend
