#include "cli/diff_command.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "cli/exit_codes.h"
#include "common/duration.h"
#include "common/log.h"
#include "common/strings.h"
#include "diff/table_diff.h"

namespace tandem::cli {
namespace {

// Keys in the order written, so the report reads top-down.
using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

// Progress on stderr at most this often, so a long scan shows it is alive.
constexpr auto kProgressEvery = std::chrono::seconds(5);

struct Side {
  std::unique_ptr<backend::Database> database;
  std::unique_ptr<backend::Connection> conn;
};

Result<Side> Connect(const std::string& url_flag, const GlobalOptions& global,
                     const std::string& side) {
  Side opened;
  std::string url = ResolveUrl(url_flag.empty() ? global.url : url_flag);
  auto database = backend::OpenDatabase(url);
  if (!database.ok()) return database.status().WithContext(side + " database");
  opened.database = std::move(*database);
  // Refused before the file is opened, which would switch it to WAL.
  if (opened.database->engine() == backend::Engine::kSqlite) {
    return Status::InvalidInput(
        side + " database " + opened.database->Describe() +
        ": diff needs PostgreSQL for now (it checksums the rows on the server with "
        "PostgreSQL's functions). To check a migration in progress on SQLite, run `tandem "
        "verify`; to compare two SQLite tables, compare them in the sqlite3 shell with EXCEPT");
  }
  auto conn = opened.database->Connect();
  if (!conn.ok()) return conn.status().WithContext(side + " database");
  opened.conn = std::move(*conn);
  Status session = opened.database->CheckSessionState(*opened.conn);
  if (session.kind() == ErrorKind::kRefused) {  // a wrong URL, not a difference
    return Status::InvalidInput(side + " database: " + session.message());
  }
  if (!session.ok()) return session.WithContext(side + " database");
  return opened;
}

std::vector<std::string> TrimAll(const std::vector<std::string>& names) {
  std::vector<std::string> trimmed;
  for (const auto& name : names) {
    if (!Trim(name).empty()) trimmed.push_back(Trim(name));
  }
  return trimmed;
}

Result<verify::DiffOptions> MakeDiffOptions(const GlobalOptions& global, const DiffFlags& flags) {
  verify::DiffOptions options;
  options.source_table = flags.source;
  options.target_table = flags.target;
  options.default_schema = global.schema;
  options.key = TrimAll(flags.key);
  options.columns = TrimAll(flags.columns);
  options.partition_by = Trim(flags.partition_by);
  options.chunk_rows = flags.chunk_rows;
  options.max_listed = flags.max_rows;
  TANDEM_ASSIGN_OR_RETURN(options.chunk_timeout, ParseDuration(flags.chunk_timeout));
  TANDEM_ASSIGN_OR_RETURN(options.lock_timeout, ParseDuration(global.lock_timeout));
  if (options.chunk_timeout.count() == 0 || options.lock_timeout.count() == 0) {
    return Status::InvalidInput("--chunk-timeout and --lock-timeout must be above 0");
  }
  return options;
}

// ---- the report ---------------------------------------------------------------

const char* KindName(verify::RowDiffKind kind) {
  switch (kind) {
    case verify::RowDiffKind::kMissing:
      return "missing";
    case verify::RowDiffKind::kExtra:
      return "extra";
    case verify::RowDiffKind::kChanged:
      return "changed";
  }
  return "changed";
}

json ValueJson(const backend::Value& value) { return value ? json(*value) : json(nullptr); }

json KeyJson(const std::vector<std::string>& columns, const verify::KeyValues& key) {
  json out = json::object();
  for (size_t i = 0; i < columns.size() && i < key.size(); ++i) out[columns[i]] = ValueJson(key[i]);
  return out;
}

json OptionalKeyJson(const std::vector<std::string>& columns,
                     const std::optional<verify::KeyValues>& key) {
  return key ? KeyJson(columns, *key) : json(nullptr);
}

std::string KeyText(const std::vector<std::string>& columns, const verify::KeyValues& key) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < columns.size() && i < key.size(); ++i) {
    parts.push_back(columns[i] + "=" + key[i].value_or("NULL"));
  }
  return Join(parts, ", ");
}

double RowsPerSecond(const verify::DiffReport& report) {
  double seconds = std::max<long long>(1, report.stats.elapsed.count()) / 1000.0;
  return static_cast<double>(report.stats.source_rows + report.stats.target_rows) / seconds;
}

json RowsJson(const verify::DiffReport& report) {
  json rows = json::array();
  for (const auto& row : report.rows) {
    json item = {{"kind", KindName(row.kind)}, {"key", KeyJson(report.key, row.key)}};
    if (!report.partition_by.empty()) {
      item["source_partition"] = ValueJson(row.source_partition);
      item["target_partition"] = ValueJson(row.target_partition);
    }
    rows.push_back(std::move(item));
  }
  return rows;
}

json RangesJson(const verify::DiffReport& report) {
  json ranges = json::array();
  for (const auto& r : report.unlisted_ranges) {
    ranges.push_back({{"after", OptionalKeyJson(report.key, r.after)},
                      {"through", OptionalKeyJson(report.key, r.through)},
                      {"source_rows", r.source_rows},
                      {"target_rows", r.target_rows}});
  }
  return ranges;
}

json PartitionsJson(const verify::DiffReport& report) {
  json differing = json::array();
  for (const auto& p : report.partitions) {
    differing.push_back({{"partition", ValueJson(p.partition)},
                         {"source_rows", p.source_rows},
                         {"target_rows", p.target_rows}});
  }
  return {{"expression", report.partition_by},
          {"compared", report.partitions_compared},
          {"differing", differing}};
}

json ReportJson(const verify::DiffReport& report) {
  const verify::DiffStats& stats = report.stats;
  json out = {
      {"command", "diff"},
      {"flags", report.Flags()},
      {"clean", report.Clean()},
      {"complete", report.complete},
      {"source",
       {{"table", report.source_table},
        {"database", report.source_database},
        {"rows", stats.source_rows}}},
      {"target",
       {{"table", report.target_table},
        {"database", report.target_database},
        {"rows", stats.target_rows}}},
      {"key", report.key},
      {"columns", report.columns},
      {"missing", report.missing},
      {"extra", report.extra},
      {"changed", report.changed},
      {"target_null_keys", report.target_null_keys},
      {"differences", RowsJson(report)},
      {"truncated", report.Truncated()},
      {"unlisted_ranges", RangesJson(report)},
      {"stats",
       {{"chunks", stats.chunks},
        {"differing_chunks", stats.differing_chunks},
        {"queries", stats.queries},
        {"bytes_to_client", stats.bytes_to_client},
        {"elapsed_ms", stats.elapsed.count()},
        {"rows_per_second", static_cast<long long>(RowsPerSecond(report))}}},
  };
  if (!report.partition_by.empty()) out["partitions"] = PartitionsJson(report);
  if (!report.complete) out["incomplete_reason"] = report.incomplete_reason;
  return out;
}

void PrintRowsText(const verify::DiffReport& report) {
  for (const auto& row : report.rows) {
    std::string partitions;
    if (!report.partition_by.empty() && row.kind == verify::RowDiffKind::kChanged &&
        row.source_partition != row.target_partition) {
      partitions = "  (partition " + row.source_partition.value_or("NULL") + " on the source, " +
                   row.target_partition.value_or("NULL") + " on the target)";
    }
    std::printf("    %-8s %s%s\n", KindName(row.kind), KeyText(report.key, row.key).c_str(),
                partitions.c_str());
  }
  if (report.Truncated()) {
    std::printf("    ... listing stopped at --max-rows %zu", report.rows.size());
    if (!report.unlisted_ranges.empty()) {
      std::printf("; %zu more differing key ranges not broken down (see --json)",
                  report.unlisted_ranges.size());
    }
    std::printf("\n");
  }
}

void PrintPartitionsText(const verify::DiffReport& report) {
  if (report.partition_by.empty()) return;
  std::printf("  partitions by %s: %lld compared, %zu differ\n", report.partition_by.c_str(),
              report.partitions_compared, report.partitions.size());
  for (const auto& p : report.partitions) {
    std::printf("    %-20s source %lld rows, target %lld rows%s\n",
                p.partition.value_or("NULL").c_str(), p.source_rows, p.target_rows,
                p.source_rows == p.target_rows ? " (same count, other content)" : "");
  }
}

void PrintReportText(const verify::DiffReport& report) {
  const verify::DiffStats& stats = report.stats;
  std::printf("diff %s (source, %s)\n  vs %s (target, %s)\n", report.source_table.c_str(),
              report.source_database.c_str(), report.target_table.c_str(),
              report.target_database.c_str());
  std::printf("  key (%s), %zu columns compared; %lld source rows, %lld target rows\n",
              Join(report.key, ", ").c_str(), report.columns.size(), stats.source_rows,
              stats.target_rows);
  // Unlisted ranges were not broken down, so their rows are not counted.
  std::printf("  rows: %s%lld missing on the target, %lld extra on the target, %lld changed\n",
              report.unlisted_ranges.empty() ? "" : "at least ", report.missing, report.extra,
              report.changed);
  if (report.target_null_keys > 0) {
    std::printf("  %lld target rows have a NULL key\n", report.target_null_keys);
  }
  PrintRowsText(report);
  PrintPartitionsText(report);
  std::printf("  scanned in %s: %.0f rows/s, %lld chunks, %lld queries, %lld bytes to the client\n",
              FormatDuration(stats.elapsed).c_str(), RowsPerSecond(report), stats.chunks,
              stats.queries, stats.bytes_to_client);
  if (!report.complete) {
    std::printf("result: the scan did not finish (flags %d): %s\n", report.Flags(),
                report.incomplete_reason.c_str());
  } else if (report.Clean()) {
    std::printf("result: the tables match\n");
  } else {
    std::printf("result: the tables differ (flags %d)\n", report.Flags());
  }
}

// Logs progress every few seconds (stderr; silent with --json).
std::function<void(long long)> ProgressLogger() {
  auto start = Clock::now();
  auto last = std::make_shared<Clock::time_point>(start);
  return [start, last](long long rows) {
    auto now = Clock::now();
    if (now - *last < kProgressEvery) return;
    *last = now;
    double seconds = std::chrono::duration<double>(now - start).count();
    spdlog::info("diff: {} source rows compared ({:.0f} rows/s)", rows, rows / seconds);
  };
}

}  // namespace

CLI::App* AddDiffSubcommand(CLI::App& app, DiffFlags& flags) {
  CLI::App* sub = app.add_subcommand(
      "diff",
      "compare two tables (or one table in two databases): counts per partition, checksums "
      "per key range computed in each database, then the exact differing keys (PostgreSQL "
      "only for now)");
  sub->add_option("--source", flags.source, "source table, TABLE or SCHEMA.TABLE")->required();
  sub->add_option("--source-url", flags.source_url, "source database (default: --url)");
  sub->add_option("--target", flags.target, "target table, TABLE or SCHEMA.TABLE")->required();
  sub->add_option("--target-url", flags.target_url, "target database (default: --url)");
  sub->add_option("--key", flags.key,
                  "key column(s), comma-separated: NOT NULL and unique on the source (e.g. the "
                  "primary key)")
      ->required()
      ->delimiter(',');
  sub->add_option("--columns", flags.columns,
                  "columns to compare, comma-separated (default: every column of the source)")
      ->delimiter(',');
  sub->add_option("--partition-by", flags.partition_by,
                  "SQL expression over a row; counts and checksums per value are compared too "
                  "(e.g. region, created_at::date)");
  sub->add_option("--chunk-rows", flags.chunk_rows, "source rows per checksum chunk")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--chunk-timeout", flags.chunk_timeout,
                  "statement_timeout of each chunk's query (e.g. 60s)")
      ->capture_default_str();
  sub->add_option("--max-rows", flags.max_rows,
                  "differing rows to list; beyond it differing ranges are reported unbroken")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub->footer(
      "Exit codes: 0 the tables match, 1 they differ, 2 bad usage (unknown table or column, "
      "no unique key, a SQLite URL), 3 the scan could not finish.\n"
      "--json flags: 1 rows differ in content, 2 rows missing or extra (per range or "
      "partition), 16 scan incomplete.\n");
  return sub;
}

Status RunDiffSubcommand(const GlobalOptions& global, const DiffFlags& flags, int* exit_code) {
  TANDEM_ASSIGN_OR_RETURN(verify::DiffOptions options, MakeDiffOptions(global, flags));
  options.on_chunk = ProgressLogger();
  TANDEM_ASSIGN_OR_RETURN(Side source, Connect(flags.source_url, global, "source"));
  TANDEM_ASSIGN_OR_RETURN(Side target, Connect(flags.target_url, global, "target"));
  // A third session walks the source's key ahead of the checksums; the diff
  // works without it, only slower.
  auto walker = source.database->Connect();
  if (!walker.ok()) spdlog::debug("diff: no second source session: {}", walker.status().message());
  TANDEM_ASSIGN_OR_RETURN(verify::DiffReport report,
                          verify::DiffTables(*source.conn, *target.conn, options,
                                             walker.ok() ? walker->get() : nullptr));
  if (global.json) {
    std::printf("%s\n", ReportJson(report).dump().c_str());
  } else {
    PrintReportText(report);
  }
  std::fflush(stdout);
  *exit_code = !report.complete ? kExitFailure : report.Clean() ? kExitSuccess : kExitRefused;
  return Status::Ok();
}

}  // namespace tandem::cli
