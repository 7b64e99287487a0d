#include "plan/sql_clauses.h"

#include <cctype>

#include "common/strings.h"

namespace tandem::plan {

std::string ColumnDefinitionSql(const ColumnDef& column, const std::string& references,
                                bool inline_pk) {
  std::string sql = QuoteIdent(column.name) + " " + column.type;
  if (column.generated) {
    if (column.generated->identity) {
      const Identity& identity = *column.generated->identity;
      std::string mode =
          identity.user_specified_values.empty() ? "ALWAYS" : identity.user_specified_values;
      sql += " GENERATED " + mode + " AS IDENTITY";
      if (!identity.sequence_options.empty()) sql += " (" + identity.sequence_options + ")";
    } else {
      sql += " GENERATED ALWAYS AS (" + column.generated->expression + ") STORED";
    }
  }
  if (column.default_value.IsSet()) sql += " DEFAULT " + column.default_value.value;
  if (!column.nullable && !inline_pk) sql += " NOT NULL";
  if (inline_pk) sql += " PRIMARY KEY";
  if (column.unique) sql += " UNIQUE";
  if (column.check) {
    if (!column.check->name.empty()) sql += " CONSTRAINT " + QuoteIdent(column.check->name);
    sql += " CHECK (" + column.check->constraint + ")";
    if (column.check->no_inherit) sql += " NO INHERIT";
  }
  if (!references.empty()) {
    if (column.references && !column.references->name.empty()) {
      sql += " CONSTRAINT " + QuoteIdent(column.references->name);
    }
    sql += " " + references;
  }
  return sql;
}

std::string IndexParametersSql(const IndexParameters& params) {
  std::string sql;
  if (!params.include_columns.empty()) {
    std::vector<std::string> quoted;
    for (const auto& c : params.include_columns) quoted.push_back(QuoteIdent(c));
    sql += " INCLUDE (" + Join(quoted, ", ") + ")";
  }
  if (!params.storage_parameters.empty()) sql += " WITH (" + params.storage_parameters + ")";
  if (!params.tablespace.empty()) sql += " USING INDEX TABLESPACE " + QuoteIdent(params.tablespace);
  return sql;
}

std::string DeferrableSql(bool deferrable, bool initially_deferred) {
  if (!deferrable) return "";
  return initially_deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
}

std::string TableConstraintSql(const ConstraintDef& constraint,
                               const std::vector<std::string>& columns, const std::string& check,
                               const std::string& references) {
  std::string sql = "CONSTRAINT " + QuoteIdent(constraint.name);
  std::string column_list = "(" + Join(columns, ", ") + ")";
  if (constraint.type == "unique") {
    sql += " UNIQUE";
    if (constraint.nulls_not_distinct) sql += " NULLS NOT DISTINCT";
    sql += " " + column_list + IndexParametersSql(constraint.index_parameters);
  } else if (constraint.type == "primary_key") {
    sql += " PRIMARY KEY " + column_list + IndexParametersSql(constraint.index_parameters);
  } else if (constraint.type == "check") {
    sql += " CHECK (" + check + ")";
    if (constraint.no_inherit) sql += " NO INHERIT";
  } else if (constraint.type == "foreign_key") {
    sql += " FOREIGN KEY " + column_list + " " + references;
  } else if (constraint.type == "exclude" && constraint.exclude) {
    const ExcludeDef& exclude = *constraint.exclude;
    sql += " EXCLUDE";
    if (!exclude.index_method.empty()) sql += " USING " + exclude.index_method;
    sql += " (" + exclude.elements + ")" + IndexParametersSql(constraint.index_parameters);
    if (!exclude.predicate.empty()) sql += " WHERE (" + exclude.predicate + ")";
  }
  return sql + DeferrableSql(constraint.deferrable, constraint.initially_deferred);
}

namespace {

bool IsIdentifierStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }

bool IsIdentifierPart(char c) {
  return IsIdentifierStart(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

// The end of the quoted token that starts at `start` ('...' or "..."; a
// doubled quote stays inside).
size_t QuotedEnd(const std::string& sql, size_t start) {
  char quote = sql[start];
  size_t i = start + 1;
  while (i < sql.size()) {
    if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    ++i;
  }
  return sql.size();
}

// Whether the token before `start` makes the name there something other
// than a column: `x.name` (qualified) or `::name` (a type).
bool FollowsQualifier(const std::string& sql, size_t start) {
  size_t i = start;
  while (i > 0 && sql[i - 1] == ' ') --i;
  return i > 0 && (sql[i - 1] == '.' || sql[i - 1] == ':');
}

bool PrecedesCall(const std::string& sql, size_t end) {
  size_t i = end;
  while (i < sql.size() && sql[i] == ' ') ++i;
  return i < sql.size() && (sql[i] == '(' || sql[i] == '.');
}

}  // namespace

std::string RenameColumnsInSql(
    const std::string& sql,
    const std::function<std::optional<std::string>(const std::string&)>& rename) {
  std::string out;
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    size_t end = i + 1;
    std::string name;
    if (c == '\'') {
      end = QuotedEnd(sql, i);
    } else if (c == '"') {
      end = QuotedEnd(sql, i);
      for (size_t k = i + 1; k + 1 < end; ++k) {
        name += sql[k];
        if (sql[k] == '"') ++k;
      }
    } else if (IsIdentifierStart(c)) {
      while (end < sql.size() && IsIdentifierPart(sql[end])) ++end;
      name = sql.substr(i, end - i);
    }
    std::optional<std::string> renamed;
    if (!name.empty() && !FollowsQualifier(sql, i) && !PrecedesCall(sql, end)) {
      renamed = rename(name);
    }
    out += renamed ? *renamed : sql.substr(i, end - i);
    i = end;
  }
  return out;
}

}  // namespace tandem::plan
