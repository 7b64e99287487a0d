#include "diff/scan.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "common/strings.h"

namespace tandem::verify {
namespace {

// A lock or statement timeout may clear on its own (a DDL waiting in the
// lock queue, a busy moment); a few spaced attempts ride that out.
constexpr int kAttempts = 3;
constexpr Millis kRetryPause{200};

std::string Param(int index, const std::string& type) {
  return "$" + std::to_string(index) + "::" + type;
}

// "k" or "(k1, k2)": row comparison makes composite keys compare in the
// index's order, and lets PostgreSQL use the index for the range.
std::string Tuple(const std::vector<std::string>& parts) {
  return parts.size() == 1 ? parts[0] : "(" + Join(parts, ", ") + ")";
}

std::string BoundTuple(const ScanShape& shape, int first_param) {
  std::vector<std::string> params;
  for (size_t i = 0; i < shape.key_types.size(); ++i) {
    params.push_back(Param(first_param + static_cast<int>(i), shape.key_types[i]));
  }
  return Tuple(params);
}

std::string OrderBy(const ScanShape& shape) { return " ORDER BY " + Join(shape.key_exprs, ", "); }

size_t ResultBytes(const backend::QueryResult& result) {
  size_t bytes = 0;
  for (const auto& row : result.rows) {
    for (const auto& value : row) bytes += value ? value->size() : 0;
  }
  return bytes;
}

Result<long long> ParseCount(const backend::Value& value) {
  TANDEM_ASSIGN_OR_RETURN(__int128 count, ParseSum(value.value_or("0")));
  return static_cast<long long>(count);
}

Result<Checksum> ParseChecksum(const backend::Value& rows, const backend::Value& sum) {
  Checksum checksum;
  TANDEM_ASSIGN_OR_RETURN(checksum.rows, ParseCount(rows));
  TANDEM_ASSIGN_OR_RETURN(checksum.sum, ParseSum(sum.value_or("0")));
  return checksum;
}

}  // namespace

Checksum& Checksum::operator+=(const Checksum& other) {
  rows += other.rows;
  sum += other.sum;
  return *this;
}

Checksum Checksum::operator-(const Checksum& other) const {
  return {rows - other.rows, sum - other.sum};
}

Result<__int128> ParseSum(const std::string& text) {
  bool negative = !text.empty() && text[0] == '-';
  size_t start = negative ? 1 : 0;
  if (start == text.size()) return Status::Internal("not an integer: \"" + text + "\"");
  __int128 value = 0;
  for (size_t i = start; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return Status::Internal("not an integer: \"" + text + "\"");
    value = value * 10 + (text[i] - '0');
  }
  return negative ? -value : value;
}

std::string SumToString(__int128 sum) {
  if (sum == 0) return "0";
  bool negative = sum < 0;
  std::string digits;
  for (; sum != 0; sum /= 10) {
    int digit = static_cast<int>(sum % 10);
    digits.push_back(static_cast<char>('0' + (digit < 0 ? -digit : digit)));
  }
  if (negative) digits.push_back('-');
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string HashExpr(const ScanShape& shape) {
  std::vector<std::string> parts = shape.row_exprs;
  if (!shape.partition.empty()) parts.push_back("(" + shape.partition + ")");
  return "pg_catalog.hashtextextended(ROW(" + Join(parts, ", ") + ")::text, 0)";
}

std::string RangeWhere(const ScanShape& shape, const KeyRange& range) {
  std::string key = Tuple(shape.key_exprs);
  std::vector<std::string> conditions;
  int next_param = 1;
  if (range.after) {
    conditions.push_back(key + " > " + BoundTuple(shape, next_param));
    next_param += static_cast<int>(shape.key_types.size());
  }
  if (range.through) conditions.push_back(key + " <= " + BoundTuple(shape, next_param));
  return conditions.empty() ? "" : " WHERE " + Join(conditions, " AND ");
}

std::vector<backend::Value> RangeParams(const KeyRange& range) {
  std::vector<backend::Value> params;
  if (range.after) params.insert(params.end(), range.after->begin(), range.after->end());
  if (range.through) params.insert(params.end(), range.through->begin(), range.through->end());
  return params;
}

std::string ChecksumSql(const ScanShape& shape, const KeyRange& range) {
  return "SELECT count(*), coalesce(sum(" + HashExpr(shape) + "), 0) FROM " + shape.table +
         RangeWhere(shape, range);
}

std::string PartitionChecksumSql(const ScanShape& shape, const KeyRange& range) {
  return "SELECT (" + shape.partition + ")::text, count(*), coalesce(sum(" + HashExpr(shape) +
         "), 0) FROM " + shape.table + RangeWhere(shape, range) + " GROUP BY 1";
}

std::string KeyAtSql(const ScanShape& shape, const KeyRange& range) {
  int offset_param = static_cast<int>(RangeParams(range).size()) + 1;
  return "SELECT " + Join(shape.key_exprs, ", ") + " FROM " + shape.table +
         RangeWhere(shape, range) + OrderBy(shape) + " OFFSET $" + std::to_string(offset_param) +
         "::bigint LIMIT 1";
}

std::string RowsSql(const ScanShape& shape, const KeyRange& range) {
  int limit_param = static_cast<int>(RangeParams(range).size()) + 1;
  std::string partition = shape.partition.empty() ? "" : ", (" + shape.partition + ")::text";
  return "SELECT " + Join(shape.key_exprs, ", ") + ", " + HashExpr(shape) + "::text" + partition +
         " FROM " + shape.table + RangeWhere(shape, range) + OrderBy(shape) + " LIMIT $" +
         std::to_string(limit_param) + "::bigint";
}

Status Scanner::PinSession(const DiffOptions& options) {
  // Row text must not depend on the server's or the role's settings: dates,
  // time zones, floats, intervals, bytea and money all print differently
  // under other values. The session is read-only so a diff cannot write.
  return conn_.Execute(
      "SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET extra_float_digits = 3; "
      "SET IntervalStyle = 'postgres'; SET bytea_output = 'hex'; SET lc_monetary = 'C'; "
      "SET lock_timeout = " +
      std::to_string(options.lock_timeout.count()) +
      "; SET default_transaction_read_only = on; SET application_name = 'tandem diff'");
}

Status Scanner::LimitStatements(Millis timeout) {
  return conn_.Execute("SET statement_timeout = " + std::to_string(timeout.count()));
}

Result<backend::QueryResult> Scanner::Run(const std::string& sql,
                                          const std::vector<backend::Value>& params) {
  for (int attempt = 1;; ++attempt) {
    ++queries_;
    Result<backend::QueryResult> result = conn_.Query(sql, params);
    if (result.ok()) {
      bytes_ += static_cast<long long>(ResultBytes(*result));
      return result;
    }
    const Status& error = result.status();
    bool transient = error.retryable() && error.kind() != ErrorKind::kConnection;
    if (!transient || attempt == kAttempts) return error.WithContext(side_ + " " + shape_.table);
    std::this_thread::sleep_for(kRetryPause * attempt);
  }
}

Result<Checksum> Scanner::Sum(const KeyRange& range) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result,
                          Run(ChecksumSql(shape_, range), RangeParams(range)));
  if (result.rows.empty()) return Status::Internal("a checksum query returned no row");
  return ParseChecksum(result.rows[0][0], result.rows[0][1]);
}

Result<PartitionSums> Scanner::SumByPartition(const KeyRange& range) {
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result,
                          Run(PartitionChecksumSql(shape_, range), RangeParams(range)));
  PartitionSums sums;
  for (const auto& row : result.rows) {
    TANDEM_ASSIGN_OR_RETURN(sums[row[0]], ParseChecksum(row[1], row[2]));
  }
  return sums;
}

Result<std::optional<KeyValues>> Scanner::KeyAt(const KeyRange& range, long long offset) {
  std::vector<backend::Value> params = RangeParams(range);
  params.push_back(std::to_string(offset));
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result, Run(KeyAtSql(shape_, range), params));
  if (result.rows.empty()) return std::optional<KeyValues>();
  return std::optional<KeyValues>(result.rows[0]);
}

Result<std::vector<LeafRow>> Scanner::Rows(const KeyRange& range, long long limit) {
  std::vector<backend::Value> params = RangeParams(range);
  params.push_back(std::to_string(limit));
  TANDEM_ASSIGN_OR_RETURN(backend::QueryResult result, Run(RowsSql(shape_, range), params));
  size_t keys = shape_.key_exprs.size();
  std::vector<LeafRow> rows;
  for (auto& row : result.rows) {
    LeafRow leaf;
    leaf.key.assign(row.begin(), row.begin() + static_cast<long>(keys));
    leaf.hash = row[keys].value_or("");
    if (!shape_.partition.empty()) leaf.partition = row[keys + 1];
    rows.push_back(std::move(leaf));
  }
  return rows;
}

}  // namespace tandem::verify
