#include "plan/sql_clauses.h"

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

}  // namespace tandem::plan
